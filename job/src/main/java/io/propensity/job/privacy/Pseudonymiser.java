package io.propensity.job.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Turns a user id into the id the job's outputs carry: the id itself, or, with {@code
 * --pseudonymise-user-ids}, its keyed hash: HMAC-SHA-256 of the id's UTF-8 bytes under the
 * pseudonym key, as 64 lower-case hex characters. The same id and key always give the same
 * pseudonym, so downstream systems can join and act on it; only the key's owner can link it back to
 * a person (by hashing the ids they hold).
 *
 * <p>Not thread-safe (one {@link Mac} per instance): each operator subtask opens its own.
 */
public final class Pseudonymiser {

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;

    private Pseudonymiser(Mac mac) {
        this.mac = mac;
    }

    /** Outputs keep the raw ids. */
    public static Pseudonymiser none() {
        return new Pseudonymiser(null);
    }

    /** Outputs carry HMAC-SHA-256 pseudonyms under {@code key}. */
    public static Pseudonymiser hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return new Pseudonymiser(mac);
        } catch (GeneralSecurityException e) {
            // every Java 17 runtime has HmacSHA256; a failure here is a broken JVM
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether outputs carry pseudonyms rather than raw ids. */
    public boolean enabled() {
        return mac != null;
    }

    /** The id outputs carry for {@code userId}. */
    public String of(String userId) {
        if (mac == null) {
            return userId;
        }
        return HexFormat.of().formatHex(mac.doFinal(userId.getBytes(StandardCharsets.UTF_8)));
    }
}
