package dev.caravan.core;

import dev.caravan.engines.Engine;

/** The engine chosen for a request and the reason it was chosen. */
public record PlacementDecision(Engine engine, PlacementReason reason) {}
