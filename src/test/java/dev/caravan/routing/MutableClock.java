package dev.caravan.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests advance by hand, so TTL tests never sleep. */
public final class MutableClock extends Clock {
    private volatile long millis;

    public MutableClock(long startMillis) { this.millis = startMillis; }

    public void advance(Duration d) { millis += d.toMillis(); }

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public long millis() { return millis; }
    @Override public Instant instant() { return Instant.ofEpochMilli(millis); }
}
