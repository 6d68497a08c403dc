package io.propensity.features;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The named, ordered, versioned feature vector that models are trained on and scored with.
 *
 * <p>A vector is a {@code double[]} of {@link #size()} values in the order of {@link #names()};
 * {@code NaN} means missing (never a magic number). The names are the PMML input field names of
 * every model, the CSV header of the offline replay and the README's feature table. Any change to
 * names, order or definitions bumps {@link #VERSION}, and a model trained on another version is
 * refused at load time.
 *
 * <p>The scoring time is the time of the latest applied event when an event is scored, or a later
 * instant (an inactivity check); an earlier instant counts as the latest event time. Windows are
 * made of whole buckets aligned to the epoch (minutes, hours) or to calendar days in the configured
 * zone, as each definition says: the bucket that holds the scoring time and the ones before it. A
 * window of n buckets therefore covers between n - 1 and n bucket widths of time; its counts are
 * exact for that definition, and never more than a sliding window of the nominal length would give.
 * {@link UserActivity} documents sessions, lateness and duplicates.
 */
public final class FeatureSchema {

    /** Bumped whenever a name, the order or a definition changes. */
    public static final int VERSION = 1;

    private static final List<Feature> FEATURES =
            List.of(
                    new Feature(
                            "view_count_1h",
                            "count",
                            "Number of views in the 1 hour up to the scoring time (minute buckets:"
                                    + " the minute of the scoring time and the 59 before)."),
                    new Feature(
                            "view_count_24h",
                            "count",
                            "Number of views in the 24 hours up to the scoring time (hour buckets:"
                                    + " the hour of the scoring time and the 23 before)."),
                    new Feature(
                            "view_count_7d",
                            "count",
                            "Number of views in the 7 days up to the scoring time (hour buckets:"
                                    + " the hour of the scoring time and the 167 before)."),
                    new Feature(
                            "view_count_28d",
                            "count",
                            "Number of views in the 28 days up to the scoring time (calendar days"
                                + " in the configured zone: the day of the scoring time and the 27"
                                + " before)."),
                    new Feature(
                            "cart_count_1h",
                            "count",
                            "Number of add-to-cart events in the 1 hour up to the scoring time"
                                    + " (minute buckets: the minute of the scoring time and the 59"
                                    + " before)."),
                    new Feature(
                            "cart_count_24h",
                            "count",
                            "Number of add-to-cart events in the 24 hours up to the scoring time"
                                    + " (hour buckets: the hour of the scoring time and the 23"
                                    + " before)."),
                    new Feature(
                            "cart_count_7d",
                            "count",
                            "Number of add-to-cart events in the 7 days up to the scoring time"
                                    + " (hour buckets: the hour of the scoring time and the 167"
                                    + " before)."),
                    new Feature(
                            "cart_count_28d",
                            "count",
                            "Number of add-to-cart events in the 28 days up to the scoring time"
                                + " (calendar days in the configured zone: the day of the scoring"
                                + " time and the 27 before)."),
                    new Feature(
                            "remove_from_cart_count_1h",
                            "count",
                            "Number of remove-from-cart events in the 1 hour up to the scoring time"
                                    + " (minute buckets: the minute of the scoring time and the 59"
                                    + " before)."),
                    new Feature(
                            "remove_from_cart_count_24h",
                            "count",
                            "Number of remove-from-cart events in the 24 hours up to the scoring"
                                    + " time (hour buckets: the hour of the scoring time and the 23"
                                    + " before)."),
                    new Feature(
                            "remove_from_cart_count_7d",
                            "count",
                            "Number of remove-from-cart events in the 7 days up to the scoring time"
                                    + " (hour buckets: the hour of the scoring time and the 167"
                                    + " before)."),
                    new Feature(
                            "remove_from_cart_count_28d",
                            "count",
                            "Number of remove-from-cart events in the 28 days up to the scoring"
                                    + " time (calendar days in the configured zone: the day of the"
                                    + " scoring time and the 27 before)."),
                    new Feature(
                            "purchase_count_1h",
                            "count",
                            "Number of purchases in the 1 hour up to the scoring time (minute"
                                + " buckets: the minute of the scoring time and the 59 before)."),
                    new Feature(
                            "purchase_count_24h",
                            "count",
                            "Number of purchases in the 24 hours up to the scoring time (hour"
                                    + " buckets: the hour of the scoring time and the 23 before)."),
                    new Feature(
                            "purchase_count_7d",
                            "count",
                            "Number of purchases in the 7 days up to the scoring time (hour"
                                + " buckets: the hour of the scoring time and the 167 before)."),
                    new Feature(
                            "purchase_count_28d",
                            "count",
                            "Number of purchases in the 28 days up to the scoring time (calendar"
                                + " days in the configured zone: the day of the scoring time and"
                                + " the 27 before)."),
                    new Feature(
                            "favorite_count_1h",
                            "count",
                            "Number of favourites in the 1 hour up to the scoring time (minute"
                                + " buckets: the minute of the scoring time and the 59 before)."),
                    new Feature(
                            "favorite_count_24h",
                            "count",
                            "Number of favourites in the 24 hours up to the scoring time (hour"
                                    + " buckets: the hour of the scoring time and the 23 before)."),
                    new Feature(
                            "favorite_count_7d",
                            "count",
                            "Number of favourites in the 7 days up to the scoring time (hour"
                                + " buckets: the hour of the scoring time and the 167 before)."),
                    new Feature(
                            "favorite_count_28d",
                            "count",
                            "Number of favourites in the 28 days up to the scoring time (calendar"
                                + " days in the configured zone: the day of the scoring time and"
                                + " the 27 before)."),
                    new Feature(
                            "sessions_7d",
                            "count",
                            "Sessions whose first event falls in the 7 days up to the scoring time"
                                    + " (hour buckets, as for view_count_7d)."),
                    new Feature(
                            "sessions_28d",
                            "count",
                            "Sessions whose first event falls in the 28 days up to the scoring time"
                                    + " (calendar days, as for view_count_28d)."),
                    new Feature(
                            "active_days_28d",
                            "days",
                            "Distinct calendar days in the configured zone with at least one event,"
                                    + " among the day of the scoring time and the 27 before."),
                    new Feature(
                            "session_events",
                            "count",
                            "Events in the current session; 0 when no session is open (the scoring"
                                + " time is more than the session gap after the latest event)."),
                    new Feature(
                            "session_duration_seconds",
                            "seconds",
                            "Time from the first to the latest event of the current session; 0 when"
                                    + " no session is open."),
                    new Feature(
                            "session_views",
                            "count",
                            "Views in the current session; 0 when no session is open."),
                    new Feature(
                            "session_carts",
                            "count",
                            "Add-to-cart events in the current session; 0 when no session is"
                                    + " open."),
                    new Feature(
                            "seconds_since_previous_event",
                            "seconds",
                            "Time from the latest event strictly before the scoring time to the"
                                    + " scoring time; missing when there is none."),
                    new Feature(
                            "seconds_since_last_cart",
                            "seconds",
                            "Time since the latest add-to-cart event; missing when the user never"
                                    + " added to cart."),
                    new Feature(
                            "seconds_since_last_purchase",
                            "seconds",
                            "Time since the latest purchase; missing when the user never"
                                    + " purchased."),
                    new Feature(
                            "tenure_seconds",
                            "seconds",
                            "Time since the user's first event seen; missing when there is none."),
                    new Feature(
                            "purchase_value_28d",
                            "currency",
                            "Sum of the prices of purchases in the 28 days up to the scoring time"
                                    + " (calendar days, as for purchase_count_28d); 0 when none,"
                                    + " missing when any of them had no price."),
                    new Feature(
                            "mean_view_price_24h",
                            "currency",
                            "Mean price of the priced views in the 24 hours up to the scoring time"
                                + " (hour buckets, as for view_count_24h); missing when no view had"
                                + " a price."),
                    new Feature(
                            "view_to_cart_ratio_7d",
                            "ratio",
                            "cart_count_7d / view_count_7d; missing when there were no views."),
                    new Feature(
                            "view_to_cart_ratio_28d",
                            "ratio",
                            "cart_count_28d / view_count_28d; missing when there were no views."),
                    new Feature(
                            "cart_to_purchase_ratio_7d",
                            "ratio",
                            "purchase_count_7d / cart_count_7d; missing when there were no carts."),
                    new Feature(
                            "cart_to_purchase_ratio_28d",
                            "ratio",
                            "purchase_count_28d / cart_count_28d; missing when there were no"
                                    + " carts."),
                    new Feature(
                            "activity_trend_7d",
                            "ratio",
                            "(events in the 168 hour buckets up to the scoring time - events in the"
                                    + " 168 hour buckets before those) / (their sum), in [-1, 1];"
                                    + " missing when both are 0."),
                    new Feature(
                            "hour_of_day",
                            "hour",
                            "Hour of the scoring time in the configured zone, 0-23."),
                    new Feature(
                            "day_of_week",
                            "day",
                            "Day of week of the scoring time in the configured zone, 1 = Monday to"
                                    + " 7 = Sunday."));

    private static final List<String> NAMES;
    private static final Map<String, Integer> INDEX = new HashMap<>();

    static {
        List<String> names = new ArrayList<>(FEATURES.size());
        for (Feature feature : FEATURES) {
            INDEX.put(feature.name(), names.size());
            names.add(feature.name());
        }
        NAMES = Collections.unmodifiableList(names);
    }

    /** Index of {@code view_count_1h}. */
    public static final int VIEW_COUNT_1H = 0;

    /** Index of {@code view_count_24h}. */
    public static final int VIEW_COUNT_24H = 1;

    /** Index of {@code view_count_7d}. */
    public static final int VIEW_COUNT_7D = 2;

    /** Index of {@code view_count_28d}. */
    public static final int VIEW_COUNT_28D = 3;

    /** Index of {@code cart_count_1h}. */
    public static final int CART_COUNT_1H = 4;

    /** Index of {@code cart_count_24h}. */
    public static final int CART_COUNT_24H = 5;

    /** Index of {@code cart_count_7d}. */
    public static final int CART_COUNT_7D = 6;

    /** Index of {@code cart_count_28d}. */
    public static final int CART_COUNT_28D = 7;

    /** Index of {@code remove_from_cart_count_1h}. */
    public static final int REMOVE_FROM_CART_COUNT_1H = 8;

    /** Index of {@code remove_from_cart_count_24h}. */
    public static final int REMOVE_FROM_CART_COUNT_24H = 9;

    /** Index of {@code remove_from_cart_count_7d}. */
    public static final int REMOVE_FROM_CART_COUNT_7D = 10;

    /** Index of {@code remove_from_cart_count_28d}. */
    public static final int REMOVE_FROM_CART_COUNT_28D = 11;

    /** Index of {@code purchase_count_1h}. */
    public static final int PURCHASE_COUNT_1H = 12;

    /** Index of {@code purchase_count_24h}. */
    public static final int PURCHASE_COUNT_24H = 13;

    /** Index of {@code purchase_count_7d}. */
    public static final int PURCHASE_COUNT_7D = 14;

    /** Index of {@code purchase_count_28d}. */
    public static final int PURCHASE_COUNT_28D = 15;

    /** Index of {@code favorite_count_1h}. */
    public static final int FAVORITE_COUNT_1H = 16;

    /** Index of {@code favorite_count_24h}. */
    public static final int FAVORITE_COUNT_24H = 17;

    /** Index of {@code favorite_count_7d}. */
    public static final int FAVORITE_COUNT_7D = 18;

    /** Index of {@code favorite_count_28d}. */
    public static final int FAVORITE_COUNT_28D = 19;

    /** Index of {@code sessions_7d}. */
    public static final int SESSIONS_7D = 20;

    /** Index of {@code sessions_28d}. */
    public static final int SESSIONS_28D = 21;

    /** Index of {@code active_days_28d}. */
    public static final int ACTIVE_DAYS_28D = 22;

    /** Index of {@code session_events}. */
    public static final int SESSION_EVENTS = 23;

    /** Index of {@code session_duration_seconds}. */
    public static final int SESSION_DURATION_SECONDS = 24;

    /** Index of {@code session_views}. */
    public static final int SESSION_VIEWS = 25;

    /** Index of {@code session_carts}. */
    public static final int SESSION_CARTS = 26;

    /** Index of {@code seconds_since_previous_event}. */
    public static final int SECONDS_SINCE_PREVIOUS_EVENT = 27;

    /** Index of {@code seconds_since_last_cart}. */
    public static final int SECONDS_SINCE_LAST_CART = 28;

    /** Index of {@code seconds_since_last_purchase}. */
    public static final int SECONDS_SINCE_LAST_PURCHASE = 29;

    /** Index of {@code tenure_seconds}. */
    public static final int TENURE_SECONDS = 30;

    /** Index of {@code purchase_value_28d}. */
    public static final int PURCHASE_VALUE_28D = 31;

    /** Index of {@code mean_view_price_24h}. */
    public static final int MEAN_VIEW_PRICE_24H = 32;

    /** Index of {@code view_to_cart_ratio_7d}. */
    public static final int VIEW_TO_CART_RATIO_7D = 33;

    /** Index of {@code view_to_cart_ratio_28d}. */
    public static final int VIEW_TO_CART_RATIO_28D = 34;

    /** Index of {@code cart_to_purchase_ratio_7d}. */
    public static final int CART_TO_PURCHASE_RATIO_7D = 35;

    /** Index of {@code cart_to_purchase_ratio_28d}. */
    public static final int CART_TO_PURCHASE_RATIO_28D = 36;

    /** Index of {@code activity_trend_7d}. */
    public static final int ACTIVITY_TREND_7D = 37;

    /** Index of {@code hour_of_day}. */
    public static final int HOUR_OF_DAY = 38;

    /** Index of {@code day_of_week}. */
    public static final int DAY_OF_WEEK = 39;

    private FeatureSchema() {}

    /** The number of features. */
    public static int size() {
        return FEATURES.size();
    }

    /** The feature names, in vector order. */
    public static List<String> names() {
        return NAMES;
    }

    /** The features with their units and definitions, in vector order. */
    public static List<Feature> features() {
        return FEATURES;
    }

    /** The position of a feature, or -1 when no feature has that name. */
    public static int indexOf(String name) {
        Integer index = INDEX.get(name);
        return index == null ? -1 : index;
    }

    /** A fresh vector with every value missing. */
    public static double[] newVector() {
        double[] vector = new double[FEATURES.size()];
        java.util.Arrays.fill(vector, Double.NaN);
        return vector;
    }

    /**
     * One feature of the vector.
     *
     * @param name the name, as in PMML, CSV and the README
     * @param unit the unit of its values
     * @param definition what it measures, in one sentence
     */
    public record Feature(String name, String unit, String definition) {}
}
