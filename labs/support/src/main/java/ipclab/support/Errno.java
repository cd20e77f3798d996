package ipclab.support;

import java.util.HashMap;
import java.util.Map;

/**
 * The errno values the labs meet, with their Linux symbols. {@link ErrnoException#errno()} returns
 * one of these, so code can say {@code e.errno() == Errno.EAGAIN} instead of comparing numbers.
 * Numbers are the Linux ones (asm-generic/errno-base.h and errno.h, as on x86-64 and arm64).
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), ECHILD(10),
    EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), EXDEV(18), ENODEV(19),
    ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ENOTTY(25), EFBIG(27), ENOSPC(28),
    ESPIPE(29), EROFS(30), EPIPE(32), ERANGE(34), EDEADLK(35), ENAMETOOLONG(36), ENOSYS(38),
    ENOTEMPTY(39), ELOOP(40), ENOMSG(42), EOVERFLOW(75), ENOTSOCK(88), EMSGSIZE(90), EPROTOTYPE(91),
    EOPNOTSUPP(95), EADDRINUSE(98), EADDRNOTAVAIL(99), ECONNRESET(104), ENOBUFS(105), EISCONN(106),
    ENOTCONN(107), ETIMEDOUT(110), ECONNREFUSED(111), EALREADY(114), EINPROGRESS(115);

    private static final Map<Integer, Errno> BY_CODE = new HashMap<>();

    static {
        for (Errno e : values()) {
            BY_CODE.put(e.code, e);
        }
    }

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The number the kernel returns (negated) and libc stores in {@code errno}. */
    public int code() {
        return code;
    }

    /** The symbol for a number, or {@code null} when it is not one the labs name. */
    public static Errno of(int code) {
        return BY_CODE.get(code);
    }

    /** {@code "EPIPE"} for a known number, {@code "errno 133"} otherwise. */
    public static String symbolOf(int code) {
        Errno e = of(code);
        return e == null ? "errno " + code : e.name();
    }
}
