package dev.caravan.core;

/**
 * The prompt's token ids as the engines' tokenizer gives them, when a step before placement has them
 * (precise placement from KV events matches them against the blocks the engines reported); empty
 * otherwise. Set at most once, before placement reads it.
 */
public final class PromptTokens {

    private volatile int[] ids;

    /** The token ids, or null when the prompt was not tokenised (placement then matches approximately). */
    public int[] ids() { return ids; }

    public void set(int[] tokenIds) { this.ids = tokenIds; }
}
