package dev.switchboard.broker.stream;

/**
 * Tags the events of one upstream stream in the ring, so that a subscriber can tell the stream it is reading from
 * a stream it has abandoned (a cancelled response's events still in the ring are dropped on arrival). Identity is
 * all that matters; implementations need no methods.
 */
public interface UpstreamSource {
}
