package dev.skyward;

import dev.skyward.spi.Offer;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The rule that orders candidate offers; the pool tries them in that order until one provisions.
 *
 * <pre>{@code
 * .selection(Selection.CHEAPEST)
 * .selection(Selection.custom("prefer-eu", offers -> offers.stream()
 *         .sorted(Comparator.comparing(o -> !o.region().startsWith("eu"))).toList()))
 * }</pre>
 */
public final class Selection {

    /** The providers in the order given to the builder, and each provider's offers in catalog order. */
    public static final Selection FIRST = new Selection(Rule.FIRST, "first", null);
    /** The lowest total hourly price for the whole pool first. */
    public static final Selection CHEAPEST = new Selection(Rule.CHEAPEST, "cheapest", null);
    /** The first offer a provider reports live capacity for (cheapest among those), where it can tell. */
    public static final Selection AVAILABLE = new Selection(Rule.AVAILABLE, "available", null);

    /** The kinds of rule. */
    public enum Rule {
        /** See {@link Selection#FIRST}. */
        FIRST,
        /** See {@link Selection#CHEAPEST}. */
        CHEAPEST,
        /** See {@link Selection#AVAILABLE}. */
        AVAILABLE,
        /** A user function, see {@link Selection#custom}. */
        CUSTOM
    }

    private final Rule rule;
    private final String name;
    private final UnaryOperator<List<Offer>> order;

    private Selection(Rule rule, String name, UnaryOperator<List<Offer>> order) {
        this.rule = rule;
        this.name = name;
        this.order = order;
    }

    /**
     * A rule of your own: receives every candidate offer (already filtered by accelerator, count,
     * allocation and limits) and returns the ones to try, in the order to try them. Offers it leaves
     * out are not tried.
     *
     * @param name shown in logs and errors
     * @param order the function
     * @return the selection
     */
    public static Selection custom(String name, UnaryOperator<List<Offer>> order) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(order, "order");
        return new Selection(Rule.CUSTOM, name, order);
    }

    /** Which rule this is. */
    public Rule rule() {
        return rule;
    }

    /** The user's function for {@link Rule#CUSTOM}, else {@code null}. */
    public UnaryOperator<List<Offer>> customOrder() {
        return order;
    }

    @Override
    public String toString() {
        return name;
    }
}
