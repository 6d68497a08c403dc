package io.propensity.bench.synthetic;

/**
 * The SplitMix64 mixing function (Steele, Lea and Flood, 2014): a cheap bijection on 64-bit values
 * whose outputs pass statistical tests even for consecutive inputs. Used as a counter-based random
 * source, so that a synthetic user's whole random state is one {@code long} and any attribute of a
 * synthetic product can be recomputed from its number instead of being stored.
 */
final class SplitMix64 {

    /** The golden-ratio increment of the SplitMix64 sequence. */
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private SplitMix64() {}

    /** Mixes 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in {@code [0, 1)} from the top 53 bits of a mixed value. */
    static double unit(long mixed) {
        return (mixed >>> 11) * 0x1.0p-53;
    }

    /** A uniform double in {@code [0, 1)} that depends only on the three keys. */
    static double unit(long seed, long key, long field) {
        return unit(mix(seed ^ mix(key * GOLDEN_GAMMA + field)));
    }
}
