package dev.caravan.http;

import dev.caravan.core.ApiKeyIds;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The API keys the gateway accepts, held only as SHA-256 digests: a key is never kept, logged or
 * exported as itself, and a lookup by digest does not leak by timing how much of a key matched.
 */
final class ApiKeys {

    private final Set<String> digests = new HashSet<>();
    /** Ids of the admin keys (accepted too): they see every key's workflows. */
    private final Set<String> adminIds = new HashSet<>();

    ApiKeys(List<String> keys) {
        this(keys, List.of());
    }

    ApiKeys(List<String> keys, List<String> adminKeys) {
        add(keys, null);
        add(adminKeys, adminIds);
    }

    private void add(List<String> keys, Set<String> ids) {
        for (String key : keys) {
            String k = key == null ? "" : key.trim();
            if (!k.isEmpty()) {
                String d = digest(k);
                digests.add(d);
                if (ids != null) ids.add(id(d));
            }
        }
    }

    /** Whether the key with this id (from {@link #idOf}) is an admin key. */
    boolean isAdmin(String id) {
        return adminIds.contains(id);
    }

    boolean enabled() {
        return !digests.isEmpty();
    }

    int count() {
        return digests.size();
    }

    /** Whether {@code authorization} (an Authorization header value, or null) carries an accepted key. */
    boolean accepts(String authorization) {
        return idOf(authorization) != null;
    }

    /**
     * The accepted key's id (the first 16 hex digits of its digest: names the key in limits without
     * being it), or null when {@code authorization} carries no accepted key.
     */
    String idOf(String authorization) {
        if (authorization == null || authorization.length() < 8
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String key = authorization.substring(7).trim();
        if (key.isEmpty()) {
            return null;
        }
        String d = digest(key);
        return digests.contains(d) ? id(d) : null;
    }

    /** A key's id: the first 16 hex digits of its digest (names the key in limits and ownership without being it). */
    private static String id(String digest) {
        return ApiKeyIds.idOfDigest(digest);
    }

    private static String digest(String key) {
        return ApiKeyIds.digest(key);
    }
}
