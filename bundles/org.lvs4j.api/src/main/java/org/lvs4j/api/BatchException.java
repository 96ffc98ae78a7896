package org.lvs4j.api;

/**
 * An edit inside {@link Director#apply(java.util.List)} was refused, so none of the batch was applied.
 */
public class BatchException extends TableException {

    private static final long serialVersionUID = 1L;

    private final int index;

    public BatchException(int index, TableException cause) {
        super(cause.reason(), cause.getMessage(), cause);
        this.index = index;
    }

    /** Position (from 0) of the refused change in the batch. */
    public int index() {
        return index;
    }
}
