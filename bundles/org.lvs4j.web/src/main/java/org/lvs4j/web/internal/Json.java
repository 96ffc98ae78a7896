/*
 * The little JSON the API needs, without a library: a writer for objects and arrays (strings escaped per RFC 8259,
 * control characters as \\uXXXX, and "<", ">", "&" too, so a value can never close a script element of the page), and
 * a strict parser for request bodies: one object of string, number, boolean and null members, nested objects and
 * arrays refused beyond a small depth, at most 16 KiB. Anything else is a 400 with the position of the problem.
 */
package org.lvs4j.web.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class Json {

    static final int MAX_BODY = 16 * 1024;

    private Json() {
    }

    /** A value as JSON text: null, Boolean, Number, String, Map (object, insertion order) or List (array). */
    static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
                if (it.hasNext()) {
                    b.append(',');
                }
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(b, l.get(i));
            }
            b.append(']');
        } else {
            string(b, v.toString());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Parses a request body that must be one JSON object. */
    static Map<String, Object> parseObject(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("malformed JSON: the body is empty (an object is expected)");
        }
        if (text.length() > MAX_BODY) {
            throw new IllegalArgumentException("malformed JSON: the body is over " + MAX_BODY + " bytes");
        }
        Parser p = new Parser(text);
        p.space();
        Object v = p.value(0);
        p.space();
        if (p.at < text.length()) {
            throw p.error("text after the object");
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("malformed JSON: an object is expected");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    private static final class Parser {
        final String s;
        int at;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("malformed JSON at character " + (at + 1) + ": " + what);
        }

        void space() {
            while (at < s.length() && " \t\r\n".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
        }

        Object value(int depth) {
            if (depth > 4) {
                throw error("nested too deeply");
            }
            if (at >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(at);
            if (c == '{') {
                return object(depth);
            }
            if (c == '[') {
                return array(depth);
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", at)) {
                at += 4;
                return null;
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            throw error("unexpected '" + c + "'");
        }

        Map<String, Object> object(int depth) {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return m;
            }
            while (true) {
                space();
                if (at >= s.length() || s.charAt(at) != '"') {
                    throw error("a member name in quotes is expected");
                }
                String name = string();
                space();
                if (at >= s.length() || s.charAt(at) != ':') {
                    throw error("':' is expected");
                }
                at++;
                space();
                if (m.containsKey(name)) {
                    throw error("member \"" + name + "\" twice");
                }
                m.put(name, value(depth + 1));
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                if (at < s.length() && s.charAt(at) == '}') {
                    at++;
                    return m;
                }
                throw error("',' or '}' is expected");
            }
        }

        List<Object> array(int depth) {
            List<Object> l = new java.util.ArrayList<>();
            at++;
            space();
            if (at < s.length() && s.charAt(at) == ']') {
                at++;
                return l;
            }
            while (true) {
                space();
                l.add(value(depth + 1));
                space();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                if (at < s.length() && s.charAt(at) == ']') {
                    at++;
                    return l;
                }
                throw error("',' or ']' is expected");
            }
        }

        String string() {
            StringBuilder b = new StringBuilder();
            at++;
            while (at < s.length()) {
                char c = s.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("a control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (at >= s.length()) {
                    break;
                }
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw error("a short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("a bad \\u escape");
                        }
                        at += 4;
                    }
                    default -> throw error("a bad escape \\" + e);
                }
            }
            throw error("an unterminated string");
        }

        Number number() {
            int start = at;
            if (s.charAt(at) == '-') {
                at++;
            }
            while (at < s.length() && "0123456789.eE+-".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
            String t = s.substring(start, at);
            try {
                if (t.matches("-?(0|[1-9][0-9]{0,17})")) {
                    return Long.parseLong(t);
                }
                if (t.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                    return Double.parseDouble(t);
                }
            } catch (NumberFormatException e) {
                // falls through
            }
            at = start;
            throw error("a bad number " + t);
        }
    }
}
