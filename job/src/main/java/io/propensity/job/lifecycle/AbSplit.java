package io.propensity.job.lifecycle;

import java.nio.charset.StandardCharsets;

/**
 * The A/B assignment of users to a role's challenger: a stable hash of the user id (salted with the
 * role, so the two roles' experiments are independent) mapped to [0, 1), compared with the
 * challenger's share.
 *
 * <p>Guarantees: a user's position never changes (no state, no randomness, the same on every
 * TaskManager and after restarts), and the assignment is monotone in the share: raising the share
 * from 10% to 20% moves exactly the users with a position in [0.1, 0.2) to the challenger and
 * nobody back; lowering it moves only users out of the challenger.
 */
public final class AbSplit {

    private AbSplit() {}

    /** Whether the user is in the challenger arm of {@code role} at this share. */
    public static boolean inChallenger(ModelRole role, String userId, double share) {
        if (share <= 0) {
            return false;
        }
        return share >= 1 || position(role, userId) < share;
    }

    /**
     * The user's fixed position in [0, 1): FNV-1a over the UTF-8 bytes of role and user, then the
     * SplitMix64 finalizer for an even spread of close ids ("u1", "u2"); the top 53 bits make the
     * fraction.
     */
    public static double position(ModelRole role, String userId) {
        long hash = 0xcbf29ce484222325L;
        hash = fnv(hash, role.wireName().getBytes(StandardCharsets.UTF_8));
        hash = fnv(hash, new byte[] {0});
        hash = fnv(hash, userId.getBytes(StandardCharsets.UTF_8));
        hash = mix(hash);
        return (hash >>> 11) * 0x1.0p-53;
    }

    private static long fnv(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
