package io.propensity.features.io;

import io.propensity.features.EventType;
import io.propensity.features.ShopperEvent;

/**
 * The REES46 / Open CDP e-commerce CSV: header {@code
 * event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session},
 * times such as {@code 2019-10-01 00:00:00 UTC}. Empty optional fields become absent values; an
 * empty price becomes {@code NaN}.
 */
final class Rees46LineParser implements EventLineParser {

    static final Rees46LineParser INSTANCE = new Rees46LineParser();

    static final String HEADER =
            "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
                    + "user_session";

    private static final int FIELDS = 9;

    private Rees46LineParser() {}

    @Override
    public boolean isHeader(String line) {
        return line.equals(HEADER);
    }

    @Override
    public ShopperEvent parse(String line) throws MalformedEventException {
        String[] f = CsvFields.split(line, FIELDS, HEADER);
        long time = parseTime(f[0]);
        EventType type;
        try {
            type = EventType.fromWireName(f[1]);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("field 'event_type': " + e.getMessage());
        }
        double price = Double.NaN;
        if (!f[6].isEmpty()) {
            try {
                price = Double.parseDouble(f[6]);
            } catch (NumberFormatException e) {
                throw new MalformedEventException("field 'price' is not a number: '" + f[6] + "'");
            }
            if (Double.isNaN(price) || Double.isInfinite(price) || price < 0) {
                throw new MalformedEventException(
                        "field 'price' must be a finite number >= 0, was '" + f[6] + "'");
            }
        }
        if (f[7].isEmpty()) {
            throw new MalformedEventException("field 'user_id' is empty");
        }
        return new ShopperEvent(
                f[7],
                time,
                type,
                CsvFields.optional(f[8]),
                CsvFields.optional(f[2]),
                CsvFields.optional(f[3]),
                CsvFields.optional(f[4]),
                CsvFields.optional(f[5]),
                price);
    }

    /**
     * Parses {@code yyyy-MM-dd HH:mm:ss UTC} by hand: java.time's formatter costs more than the
     * rest of the line, and the format is fixed.
     */
    static long parseTime(String text) throws MalformedEventException {
        if (text.length() != 23
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != ' '
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || !text.endsWith(" UTC")) {
            throw badTime(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > daysInMonth(year, month)
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            throw badTime(text);
        }
        long epochDay = epochDay(year, month, day);
        return ((epochDay * 24 + hour) * 60 + minute) * 60_000L + second * 1000L;
    }

    private static MalformedEventException badTime(String text) {
        return new MalformedEventException(
                "field 'event_time' is not like '2019-10-01 00:00:00 UTC': '" + text + "'");
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isLeap(int year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    private static int daysInMonth(int year, int month) {
        switch (month) {
            case 2:
                return isLeap(year) ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
