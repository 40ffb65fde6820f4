package dev.caravan.engines;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Other names for served models ({@code caravan.model-aliases}): a client of the seed plan sends
 * {@code "model": "llama"}, the engines serve {@code meta-llama/Llama-3.1-8B-Instruct}. The parse
 * steps replace an alias by the served name before placement and forwarding, so candidate engines,
 * the prefix index, metrics and the engine itself see only served names. Immutable.
 */
public final class ModelAliases {

    private final Map<String, String> servedByAlias;

    /** @throws IllegalArgumentException for an entry without a model or an alias that names two models */
    public ModelAliases(List<EngineProperties.ModelAlias> entries) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            EngineProperties.ModelAlias e = entries.get(i);
            if (e.getModel() == null || e.getModel().isBlank()) {
                throw new IllegalArgumentException("caravan.model-aliases[" + i + "].model is required");
            }
            for (String alias : e.getAliases()) {
                if (alias == null || alias.isBlank() || alias.equals(e.getModel())) continue;
                String before = m.putIfAbsent(alias, e.getModel());
                if (before != null && !before.equals(e.getModel())) {
                    throw new IllegalArgumentException("caravan.model-aliases: alias '" + alias + "' names both '"
                            + before + "' and '" + e.getModel() + "'");
                }
            }
        }
        // An alias that is itself a served name would hide that model: refuse it rather than guess.
        for (EngineProperties.ModelAlias e : entries) {
            String hidden = m.get(e.getModel());
            if (hidden != null) {
                throw new IllegalArgumentException("caravan.model-aliases: '" + e.getModel()
                        + "' is a served model and an alias of '" + hidden + "'");
            }
        }
        this.servedByAlias = Collections.unmodifiableMap(m);
    }

    public static ModelAliases none() { return new ModelAliases(List.of()); }

    /** The served name for {@code requested}: itself unless it is an alias (null stays null). */
    public String resolve(String requested) {
        if (requested == null) return null;
        return servedByAlias.getOrDefault(requested, requested);
    }

    /** Alias to served name, in configuration order. */
    public Map<String, String> asMap() { return servedByAlias; }
}
