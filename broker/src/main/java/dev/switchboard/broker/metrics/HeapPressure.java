package dev.switchboard.broker.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

/**
 * Warns the operator when the heap stays nearly full after garbage collection — the state that precedes an
 * {@link OutOfMemoryError}, which Jetty would otherwise turn into a 1011 close with nothing in the log.
 *
 * <p>Uses the JVM's collection-usage thresholds: the check runs inside the collector, costs nothing between
 * collections, and the notification arrives on a JMX thread; the line goes through {@link OperatorLog} (rate
 * limited). Threadsafe; {@link #close()} unregisters.
 */
public final class HeapPressure implements AutoCloseable {
    private final List<MemoryPoolMXBean> pools = new ArrayList<>();
    private final NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
    private final NotificationListener listener;

    /**
     * @param fraction the share of a heap pool's maximum, still in use after a collection, that is worth a warning
     */
    public HeapPressure(double fraction, OperatorLog log) {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            long max = pool.getUsage().getMax();
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported() && max > 0) {
                pool.setCollectionUsageThreshold((long) (max * fraction));
                pools.add(pool);
            }
        }
        listener = (Notification notification, Object handback) -> {
            if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
                Runtime runtime = Runtime.getRuntime();
                log.warn("heap", "heap nearly full after garbage collection: {} MiB used of {} MiB; the broker may "
                        + "run out of memory (check outbound/replay/limits settings and the number of sessions){}",
                        (runtime.totalMemory() - runtime.freeMemory()) >> 20, runtime.maxMemory() >> 20);
            }
        };
        emitter.addNotificationListener(listener, null, null);
    }

    @Override
    public void close() {
        try {
            emitter.removeNotificationListener(listener);
        } catch (ListenerNotFoundException e) {
            // Already removed.
        }
    }
}
