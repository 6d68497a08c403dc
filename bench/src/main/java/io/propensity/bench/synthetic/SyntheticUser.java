package io.propensity.bench.synthetic;

/**
 * One synthetic user while active, that is between its first and last event: the only per-user
 * state the generator keeps (about 100 bytes with its queue slot). Its random numbers come from a
 * SplitMix64 sequence whose state is one field, seeded from the generator's seed and the user's
 * number, so each user's history depends on nothing else. Not thread-safe.
 */
final class SyntheticUser {

    /** How many distinct products of the current session a user can come back to. */
    static final int REMEMBERED_PRODUCTS = 4;

    final long number;
    long nextTime;
    int eventsLeft;
    int sessionEventsLeft;
    int session;
    int type;
    int product;
    private long random;
    private final int[] sessionProducts = new int[REMEMBERED_PRODUCTS];
    private int sessionProductCount;

    SyntheticUser(long number, long seed) {
        this.number = number;
        this.random = SplitMix64.mix(seed ^ SplitMix64.mix(number + 0x632BE59BD9B4E019L));
    }

    /** The next uniform number in {@code [0, 1)} of this user's sequence. */
    double nextUnit() {
        random += SplitMix64.GOLDEN_GAMMA;
        return SplitMix64.unit(SplitMix64.mix(random));
    }

    void forgetSessionProducts() {
        sessionProductCount = 0;
    }

    /** Remembers a product of the current session, replacing the oldest when full. */
    void rememberSessionProduct(int product) {
        int remembered = Math.min(sessionProductCount, REMEMBERED_PRODUCTS);
        for (int i = 0; i < remembered; i++) {
            if (sessionProducts[i] == product) {
                return;
            }
        }
        sessionProducts[sessionProductCount % REMEMBERED_PRODUCTS] = product;
        sessionProductCount++;
    }

    /** One of the remembered products of the session, for a uniform number {@code u}. */
    int sessionProduct(double u) {
        int remembered = Math.min(sessionProductCount, REMEMBERED_PRODUCTS);
        return sessionProducts[(int) (u * remembered)];
    }
}
