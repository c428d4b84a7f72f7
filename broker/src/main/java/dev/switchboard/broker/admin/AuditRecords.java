package dev.switchboard.broker.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * What {@code GET /admin/audit} answers, once the caller may read what it asked for: the audit log's newest records
 * as written (JSON objects with every field of {@code docs/audit.md}). Implemented by the audit log, which reads
 * them back from its files; called on an admin API thread, which may block on it (never a shard thread).
 * Thread-safe.
 */
@FunctionalInterface
public interface AuditRecords {
    /**
     * The newest records whose {@code tenant} field {@code tenants} accepts, newest first, at most {@code limit}
     * (the implementation may scan only the newest part of the log, so fewer may come back although older ones
     * exist).
     *
     * @throws IOException when the log's files cannot be read
     */
    List<JsonNode> newest(int limit, Predicate<String> tenants) throws IOException;
}
