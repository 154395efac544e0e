package dev.skyward.pool;

/**
 * The life of one rank of a pool, as {@link NodeSlot} goes through it:
 * <pre>
 * STARTING -> READY -> DRAINING -> RETIRED              (an idle node given back)
 *             READY -> LOST -> REPLACING -> READY       (a lost node replaced, same rank)
 *             READY -> DRAINING -> REPLACING -> READY   (a node about to go (spot notice) replaced while it finishes)
 *                      LOST -> GONE, REPLACING -> GONE  (not replaced: policy, or the replacement failed)
 * </pre>
 * Only a {@code READY} rank gets new work; work pinned to a {@code LOST} or {@code REPLACING} rank
 * waits for its replacement, and fails once the rank is {@code GONE} or {@code RETIRED}.
 */
enum NodeState {
    /** Its machine and agent are being started. */
    STARTING,
    /** Connected; takes work. */
    READY,
    /** Takes no new work; its running tasks finish (before it is given back or replaced). */
    DRAINING,
    /** Its node was lost; a replacement may follow. */
    LOST,
    /** A new node for this rank is being started. */
    REPLACING,
    /** Lost for good. Terminal. */
    GONE,
    /** Given back (the pool shrank). Terminal. */
    RETIRED;

    boolean canMoveTo(NodeState next) {
        return switch (this) {
            case STARTING -> next == READY || next == LOST || next == GONE;
            case READY -> next == DRAINING || next == LOST;
            case DRAINING -> next == RETIRED || next == REPLACING || next == LOST;
            case LOST -> next == REPLACING || next == GONE;
            case REPLACING -> next == READY || next == GONE;
            case GONE, RETIRED -> false;
        };
    }

    /** Whether the rank may still serve work later (pinned work waits for it). */
    boolean mayServe() {
        return this == STARTING || this == READY || this == LOST || this == REPLACING || this == DRAINING;
    }

    /** Whether the rank is missing its node (the pool is degraded meanwhile). */
    boolean missing() {
        return this == LOST || this == REPLACING || this == GONE;
    }
}
