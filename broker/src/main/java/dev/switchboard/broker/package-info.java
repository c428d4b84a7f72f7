/**
 * The broker process: {@link dev.switchboard.broker.Broker} wires configuration, providers, rings and the
 * Jetty server together; {@link dev.switchboard.broker.Main} is the command line.
 */
@NullMarked
package dev.switchboard.broker;

import org.jspecify.annotations.NullMarked;
