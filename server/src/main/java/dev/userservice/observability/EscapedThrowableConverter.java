package dev.userservice.observability;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * The text log's {@code %eex}: a stack trace as logback writes it, with every exception message
 * (of causes and suppressed ones too) escaped by {@link LogEscaping}, so a message that carries a
 * caller's text cannot start a line that looks like a log line of its own.
 */
public final class EscapedThrowableConverter extends ThrowableProxyConverter {

  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(new Escaped(proxy));
  }

  private record Escaped(IThrowableProxy delegate) implements IThrowableProxy {
    @Override
    public String getMessage() {
      return delegate.getMessage() == null ? null : LogEscaping.escape(delegate.getMessage());
    }

    @Override
    public String getClassName() {
      return delegate.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return delegate.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return delegate.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      return delegate.getCause() == null ? null : new Escaped(delegate.getCause());
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = delegate.getSuppressed();
      if (suppressed == null) {
        return null;
      }
      IThrowableProxy[] escaped = new IThrowableProxy[suppressed.length];
      for (int i = 0; i < suppressed.length; i++) {
        escaped[i] = new Escaped(suppressed[i]);
      }
      return escaped;
    }

    @Override
    public boolean isCyclic() {
      return delegate.isCyclic();
    }
  }
}
