package dev.caravan.core;

import java.util.Map;

/** What placement has learnt an engine costs, for operators ({@code /health}); read-only. */
public interface EngineCostView {

    /** The engine's learnt costs as JSON-ready fields, or null when it has not been measured. */
    Map<String, Object> describe(String engineId);
}
