package dev.skyward.offer;

import dev.skyward.SkywardException;

/** A catalog file is malformed; the message names the file, line, column and value. */
public class CatalogException extends SkywardException {

    private static final long serialVersionUID = 1L;

    /** @param message file, line, column, value and what is wrong with it */
    public CatalogException(String message) {
        super(message);
    }
}
