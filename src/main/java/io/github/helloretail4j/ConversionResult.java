package io.github.helloretail4j;

import java.util.Objects;
import java.util.Optional;

/**
 * What became of a conversion handed to {@link HelloRetailTracker#tryTrackConversion}, the call
 * for checkout code that must not fail: it never throws, and this says what happened.
 */
public final class ConversionResult {

    /** What became of the conversion. */
    public enum Status {
        /** Durable in the outbox; it will be delivered. */
        ACCEPTED,
        /** Its order number was tracked before; it is not sent again. */
        DUPLICATE,
        /**
         * The outbox could not take it (a full disk, a database that is down): it waits in this
         * JVM's memory and is written to the outbox as soon as the outbox works again. Lost if
         * the JVM stops before then.
         */
        HELD_IN_MEMORY,
        /** A field was wrong; {@link #problem()} names it. Not tracked: it would never be accepted. */
        INVALID,
        /**
         * Not kept: tracking is disabled, the tracker is closed, or too many conversions wait in
         * memory already ({@link #problem()} says which).
         */
        DROPPED
    }

    private final Status status;
    private final Conversion conversion;
    private final String problem;

    ConversionResult(Status status, Conversion conversion, String problem) {
        this.status = Objects.requireNonNull(status, "status");
        this.conversion = conversion;
        this.problem = problem;
    }

    public Status status() {
        return status;
    }

    /** True when the conversion is (or was before) durably in the outbox: {@code ACCEPTED} or {@code DUPLICATE}. */
    public boolean isDurable() {
        return status == Status.ACCEPTED || status == Status.DUPLICATE;
    }

    /** The conversion that was tracked or held; empty when it could not be built ({@code INVALID}). */
    public Optional<Conversion> conversion() {
        return Optional.ofNullable(conversion);
    }

    /** Why it is not durable, as logged: the field and the reason, or the outbox's failure; empty when durable. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public String toString() {
        return "ConversionResult{" + status + (conversion == null ? "" : ", order " + conversion.orderNumber())
                + (problem == null ? "" : ", " + problem) + "}";
    }
}
