package dev.skyward.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with left-aligned columns, except those marked numeric (right-aligned). */
final class Table {

    private final List<String> header;
    private final boolean[] numeric;
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * @param header column titles; a title ending in {@code >} marks a right-aligned column (the
     *     marker is not printed)
     */
    Table(String... header) {
        this.numeric = new boolean[header.length];
        List<String> h = new ArrayList<>();
        for (int i = 0; i < header.length; i++) {
            numeric[i] = header[i].endsWith(">");
            h.add(numeric[i] ? header[i].substring(0, header[i].length() - 1) : header[i]);
        }
        this.header = h;
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "" : c.toString());
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        line(out, header, width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
        out.flush();
    }

    private void line(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            s.append(numeric[i] ? pad + c : c + (i == width.length - 1 ? "" : pad));
            if (i < width.length - 1) {
                s.append("  ");
            }
        }
        out.println(s.toString().stripTrailing());
    }
}
