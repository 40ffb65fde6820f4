package dev.caravan.engines;

import java.util.List;

/** Engines the gateway starts itself when none are configured (the embedded simulator). */
public interface SimulatedEngineSource {
    List<Engine> engines();
}
