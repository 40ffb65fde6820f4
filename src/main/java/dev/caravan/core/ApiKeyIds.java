package dev.caravan.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** How an API key is named where the key itself must not go: its SHA-256 digest, and the first 16 hex digits of it as the key's id. */
public final class ApiKeyIds {

    private ApiKeyIds() { }

    public static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The id of a digest from {@link #digest}. */
    public static String idOfDigest(String digest) {
        return digest.substring(0, 16);
    }

    /** The id of a key, as {@link CallerKey#id()} names it. */
    public static String of(String key) {
        return idOfDigest(digest(key));
    }
}
