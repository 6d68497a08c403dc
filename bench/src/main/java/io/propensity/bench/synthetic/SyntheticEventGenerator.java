package io.propensity.bench.synthetic;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Streams <b>synthetic</b> shopper events for benchmarks and load tests: made-up users whose
 * behaviour imitates the statistics of real event logs, summarised in a {@link SyntheticProfile}.
 * No event comes from a real person; none should be used to train or evaluate models.
 *
 * <p>How a stream is made: users arrive one after another (a Poisson process spread over {@link
 * Settings#arrivalSpan()}); at arrival a user draws its number of events from the profile, then
 * lives through sessions whose lengths, inner gaps and the gaps between them are drawn from the
 * profile; the first event type of a session follows the profile's session-start mix, the next ones
 * its type-to-type transitions; an event repeats the previous event's product with the profile's
 * probability, otherwise picks one from the {@link SyntheticCatalogue}. What is not modelled is
 * listed in {@code bench/SYNTHETIC.md} (among others: no {@code remove_from_cart}, no daily cycle,
 * no dependence between a user's gaps, types and prices).
 *
 * <p>Guarantees: events come out in non-decreasing event time across all users; the same settings
 * and profile give the same stream; memory is bounded by the number of <em>concurrently active</em>
 * users (a priority queue of their next-event times, about 100 bytes each), not by the number of
 * users or events, so millions of users and tens of millions of events stream through a small heap.
 * Each session has a session id ({@code <user>-<n>}); gaps inside a session are shorter than the
 * profile's session gap and gaps between sessions at least as long, so sessions derived from gaps
 * agree with the ids. Not thread-safe.
 */
public final class SyntheticEventGenerator implements Iterator<ShopperEvent> {

    private final SyntheticBehaviour behaviour;
    private final SyntheticCatalogue catalogue;
    private final long seed;
    private final long maxUsers;
    private final long maxEvents;
    private final double meanArrivalGapMillis;
    private final PriorityQueue<SyntheticUser> active =
            new PriorityQueue<>(
                    Comparator.comparingLong((SyntheticUser user) -> user.nextTime)
                            .thenComparingLong(user -> user.number));

    private long arrivalRandom;
    private long nextArrival;
    private long usersStarted;
    private long emitted;
    private int peakActive;

    /**
     * What to generate.
     *
     * @param seed the seed; the same seed gives the same stream
     * @param start the first user's first event
     * @param users how many users arrive, or {@code 0} to derive the arrival rate from {@code
     *     maxEvents} (users then keep arriving until {@code maxEvents} is reached)
     * @param maxEvents the stream stops after this many events ({@link Long#MAX_VALUE}: when every
     *     user's history has ended)
     * @param arrivalSpan users' first events are spread over this span; a longer span means fewer
     *     concurrently active users
     * @param products the catalogue size, or {@code 0} for the profile's
     */
    public record Settings(
            long seed,
            Instant start,
            long users,
            long maxEvents,
            Duration arrivalSpan,
            int products) {

        public Settings {
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(arrivalSpan, "arrivalSpan");
            if (users < 0) {
                throw new IllegalArgumentException("users must not be negative, was " + users);
            }
            if (maxEvents < 1) {
                throw new IllegalArgumentException("events must be at least 1, was " + maxEvents);
            }
            if (users == 0 && maxEvents == Long.MAX_VALUE) {
                throw new IllegalArgumentException("give the number of users, of events, or both");
            }
            if (arrivalSpan.isNegative() || arrivalSpan.isZero()) {
                throw new IllegalArgumentException(
                        "arrival span must be positive, was " + arrivalSpan);
            }
            if (products < 0) {
                throw new IllegalArgumentException(
                        "products must not be negative, was " + products);
            }
        }

        /** {@code users} users with the profile's observation window as arrival span. */
        public static Settings forUsers(SyntheticProfile profile, long users, long seed) {
            return new Settings(
                    seed,
                    Instant.parse("2024-01-01T00:00:00Z"),
                    users,
                    Long.MAX_VALUE,
                    Duration.ofMillis(profile.behaviour().windowMillis()),
                    0);
        }

        public Settings withMaxEvents(long events) {
            return new Settings(seed, start, users, events, arrivalSpan, products);
        }

        public Settings withArrivalSpan(Duration span) {
            return new Settings(seed, start, users, maxEvents, span, products);
        }
    }

    public SyntheticEventGenerator(SyntheticProfile profile, Settings settings) {
        this.behaviour = new SyntheticBehaviour(profile.behaviour());
        int products =
                settings.products() == 0 ? profile.catalogue().products() : settings.products();
        this.catalogue = new SyntheticCatalogue(profile.catalogue(), products, settings.seed());
        this.seed = settings.seed();
        this.maxEvents = settings.maxEvents();
        double rateUsers;
        if (settings.users() > 0) {
            this.maxUsers = settings.users();
            rateUsers = settings.users();
        } else {
            this.maxUsers = Long.MAX_VALUE;
            rateUsers =
                    Math.max(1, Math.ceil(settings.maxEvents() / behaviour.meanEventsPerUser()));
        }
        this.meanArrivalGapMillis = settings.arrivalSpan().toMillis() / rateUsers;
        this.arrivalRandom = SplitMix64.mix(seed ^ 0x2545F4914F6CDD1DL);
        this.nextArrival = settings.start().toEpochMilli();
    }

    @Override
    public boolean hasNext() {
        return emitted < maxEvents && (!active.isEmpty() || usersStarted < maxUsers);
    }

    @Override
    public ShopperEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the synthetic stream has ended");
        }
        // a user whose first event comes before every active user's next event joins first
        while (usersStarted < maxUsers
                && (active.isEmpty() || nextArrival <= active.peek().nextTime)) {
            active.add(arrive());
        }
        peakActive = Math.max(peakActive, active.size());
        SyntheticUser user = active.poll();
        ShopperEvent event = emit(user);
        emitted++;
        if (advance(user)) {
            active.add(user);
        }
        return event;
    }

    /** Events returned so far. */
    public long eventsEmitted() {
        return emitted;
    }

    /** Users that have had their first event or are about to. */
    public long usersStarted() {
        return usersStarted;
    }

    /** Users currently active (first event emitted or due, last event not yet emitted). */
    public int activeUsers() {
        return active.size();
    }

    /** The largest number of concurrently active users so far: what bounds the memory used. */
    public int peakActiveUsers() {
        return peakActive;
    }

    /** The number of products in the catalogue. */
    public int products() {
        return catalogue.products();
    }

    private SyntheticUser arrive() {
        SyntheticUser user = new SyntheticUser(usersStarted++, seed);
        user.nextTime = nextArrival;
        user.eventsLeft = behaviour.eventsPerUser(user.nextUnit());
        startSession(user);
        arrivalRandom += SplitMix64.GOLDEN_GAMMA;
        double u = SplitMix64.unit(SplitMix64.mix(arrivalRandom));
        // exponential gaps make the arrivals a Poisson process
        nextArrival += Math.round(-Math.log1p(-u) * meanArrivalGapMillis);
        return user;
    }

    private void startSession(SyntheticUser user) {
        // The last session is cut to the events left, which makes long sessions a little rarer
        // than in the real data (p90 13-14 instead of 15); letting it run over would bias events
        // per user instead, which matters more for per-user state sizes.
        user.sessionEventsLeft =
                Math.min(user.eventsLeft, behaviour.eventsPerSession(user.nextUnit()));
        user.type = behaviour.sessionStartType(user.nextUnit());
        user.forgetSessionProducts();
        user.product = catalogue.pickProduct(user.nextUnit());
        user.rememberSessionProduct(user.product);
    }

    /** Moves the user to its next event; returns {@code false} when its history has ended. */
    private boolean advance(SyntheticUser user) {
        user.eventsLeft--;
        user.sessionEventsLeft--;
        if (user.eventsLeft == 0) {
            return false;
        }
        if (user.sessionEventsLeft == 0) {
            user.session++;
            user.nextTime += behaviour.gapBetweenSessions(user.nextUnit());
            startSession(user);
            return true;
        }
        user.nextTime += behaviour.gapWithinSession(user.nextUnit());
        user.type = behaviour.nextType(user.type, user.nextUnit());
        // draw both numbers every time so that one user's sequence does not depend on branches
        double repeat = user.nextUnit();
        double pick = user.nextUnit();
        if (repeat < behaviour.productSeenEarlierInSession(user.type)) {
            user.product = user.sessionProduct(pick);
        } else {
            user.product = catalogue.pickProduct(pick);
            user.rememberSessionProduct(user.product);
        }
        return true;
    }

    private ShopperEvent emit(SyntheticUser user) {
        String userId = "u" + user.number;
        int category = catalogue.category(user.product);
        return new ShopperEvent(
                userId,
                user.nextTime,
                EventType.ofOrdinal(user.type),
                userId + "-" + user.session,
                catalogue.productId(user.product),
                catalogue.categoryId(category),
                catalogue.categoryCode(category),
                catalogue.brand(user.product),
                catalogue.price(user.product));
    }
}
