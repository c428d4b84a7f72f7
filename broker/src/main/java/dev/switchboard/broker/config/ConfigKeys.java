package dev.switchboard.broker.config;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every key the configuration knows, at every depth, so that a typo anywhere — not only at the top level — is an
 * error naming its full path and the keys allowed there (issue 11: {@code providers.x.timeouts.frist_token} used to
 * be ignored silently, leaving the default in force). A node is a map of known keys, {@link #ANY_NAME} for a map of
 * user-chosen names (providers, models, tenants) each described by the same node, or {@link #LEAF} for a value.
 * Stateless.
 */
final class ConfigKeys {
    /** A value: its own checks are the loader's. */
    static final Map<String, Object> LEAF = Map.of();
    /** The key under which a map of user-chosen names describes each entry. */
    static final String ANY_NAME = "*";

    private static final Map<String, Object> SCHEMA = node(
            "listen", node("host", LEAF, "port", LEAF),
            "simulator", node("enabled", LEAF),
            "providers", node(ANY_NAME, node(
                    "kind", LEAF, "base_url", LEAF, "api_key", LEAF, "continuation", LEAF,
                    "timeouts", node("connect", LEAF, "first_token", LEAF, "idle", LEAF),
                    "retry", node("max_retries", LEAF, "backoff", LEAF, "max_backoff", LEAF, "max_retry_after", LEAF),
                    "circuit_breaker", node("failure_threshold", LEAF, "open_for", LEAF, "probe_after", LEAF))),
            "models", node(ANY_NAME, node("route", LEAF)),
            "tenants", node(ANY_NAME, node("keys", LEAF, "models", LEAF, "broker_vad", LEAF)),
            "limits", node("max_frame_bytes", LEAF, "request_header_timeout", LEAF, "request_body_timeout", LEAF),
            "outbound", node("high_watermark_bytes", LEAF, "low_watermark_bytes", LEAF, "max_bytes", LEAF,
                    "max_frames", LEAF, "max_stall", LEAF),
            "rings", node("shards", LEAF, "size", LEAF, "wait_strategy", LEAF),
            "sessions", node("resume_ttl", LEAF, "resume_secret", LEAF,
                    "replay", node("max_events", LEAF, "max_bytes", LEAF)),
            "drain", node("timeout", LEAF));

    private ConfigKeys() {
    }

    /** Fails on the first key of {@code root} that the configuration does not know, naming its path. */
    static void check(JsonNode root) throws ConfigException {
        check(root, SCHEMA, "");
    }

    @SuppressWarnings("unchecked")
    private static void check(JsonNode node, Map<String, Object> schema, String path) throws ConfigException {
        if (!node.isObject() || schema == LEAF) {
            // Wrong shapes (a list where a map belongs) are reported by the loader with the rule for the key.
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            Object child = schema.containsKey(ANY_NAME) ? schema.get(ANY_NAME) : schema.get(field.getKey());
            if (child == null) {
                throw new ConfigException(key + " is not a known key (known" + (path.isEmpty() ? "" : " in " + path)
                        + ": " + String.join(", ", new TreeSet<>(schema.keySet())) + ")");
            }
            check(field.getValue(), (Map<String, Object>) child, key);
        }
    }

    private static Map<String, Object> node(Object... keysAndChildren) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndChildren.length; i += 2) {
            out.put((String) keysAndChildren[i], keysAndChildren[i + 1]);
        }
        return out;
    }
}
