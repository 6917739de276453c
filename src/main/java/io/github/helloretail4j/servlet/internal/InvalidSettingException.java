package io.github.helloretail4j.servlet.internal;

/**
 * Not API: a {@code helloretail.*} setting that keeps the application from starting. The message
 * is for people (it names the setting as they wrote it, where it was found and the value); the
 * setting and the value are for code, such as the Spring Boot starter's failure report, which
 * must not read them out of the message.
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Setting<?> setting;
    private final String value;
    private final String where;

    public InvalidSettingException(Setting<?> setting, String value, String where, String message, Throwable cause) {
        super(message, cause);
        this.setting = setting;
        this.value = setting.isSecret() ? null : value;
        this.where = where;
    }

    /** The setting to change: of two that contradict each other, the one the message advises changing. */
    public Setting<?> setting() {
        return setting;
    }

    /** The value as it was found; null when there was none (a required setting), or it is secret. */
    public String value() {
        return value;
    }

    /** Where the value was found ({@code context-param}, a framework's origin), or null when unknown. */
    public String where() {
        return where;
    }
}
