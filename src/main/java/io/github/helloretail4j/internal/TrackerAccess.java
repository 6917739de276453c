package io.github.helloretail4j.internal;

import io.github.helloretail4j.HelloRetailTracker;
import java.util.function.Function;

/**
 * The engine behind a {@link HelloRetailTracker}, for the library's own servlet layer (which
 * counts what only it sees, such as page views of visitors without an id). The tracker hands
 * this class the way in when it is initialised (the JDK's "shared secrets" pattern), so that its
 * public face gains no method for it.
 *
 * <p>Not part of the public API.
 */
public final class TrackerAccess {
    private static volatile Function<HelloRetailTracker, Engine> engines;

    private TrackerAccess() {
    }

    /** Called once, by HelloRetailTracker's static initialiser. */
    public static void register(Function<HelloRetailTracker, Engine> access) {
        if (engines != null) {
            throw new IllegalStateException("already registered");
        }
        engines = access;
    }

    /** The tracker's engine (its class is initialised: there is an instance). */
    public static Engine engine(HelloRetailTracker tracker) {
        return engines.apply(tracker);
    }
}
