package ipclab.support.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ipclab.support.Errno;
import ipclab.support.ErrnoException;
import ipclab.support.Libc;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60) // a wait that never ends fails the test instead of hanging the build
class ProcessGroupsTest {

    @Test
    @DisplayName("a child stays in our group and session; SETPGROUP makes it lead a group, SETSID a session and a group")
    void groupsAndSessions() throws Exception {
        assertThat(groupAndSession(Spawn.CLEAN_SIGNALS)).isEqualTo(List.of(Libc.getpgid(0), Libc.getsid(0)));
        assertThat(groupAndSession(Spawn.CLEAN_SIGNALS | Spawn.SETPGROUP)).isEqualTo(List.of("own", Libc.getsid(0)));
        assertThat(groupAndSession(Spawn.CLEAN_SIGNALS | Spawn.SETSID)).isEqualTo(List.of("own", "own"));
    }

    /** A child's process group and session, each as "own" when it is the child's pid. */
    private static List<Object> groupAndSession(int flags) throws Exception {
        int[] in = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        try (Child cat = Child.spawn(Child.catReading(in[0], devNull).withFlags(flags))) {
            // posix_spawn returns after the exec, so the child's group and session are set by now.
            int pgid = Libc.getpgid(cat.pid);
            int sid = Libc.getsid(cat.pid);
            return List.of(pgid == cat.pid ? "own" : pgid, sid == cat.pid ? "own" : sid);
        } finally {
            Fds.closeAll(in[0], in[1], devNull);
        }
    }

    @Test
    @DisplayName("killpg reaches a grandchild in the group; once all are reaped, the group answers ESRCH")
    void killpgReachesTheWholeGroup() throws Exception {
        int[] out = Libc.pipe2(Libc.O_CLOEXEC);
        int devNull = Fds.devNull();
        // The grandchild is re-parented to us when its parent dies, rather than to init: so we can
        // reap it, and know when the group is empty without polling.
        Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1);
        Child leader = null;
        Child grandchild = null;
        try {
            leader = Child.spawn(Spawn.Request.of(List.of("sh", "-c", "sleep 100 & echo $!; exec sleep 100"))
                    .withStdio(devNull, out[1], devNull).withFlags(Spawn.CLEAN_SIGNALS | Spawn.SETPGROUP));
            grandchild = new Child(Integer.parseInt(Fds.readLine(out[0])));
            int group = leader.pid;
            assertThat(Libc.getpgid(grandchild.pid)).as("the background sleep is in the leader's group").isEqualTo(group);

            Libc.killpg(group, Libc.SIGTERM);
            assertThat(leader.await()).isEqualTo(WaitStatus.killedBy(Libc.SIGTERM));
            assertThat(grandchild.await()).as("ours to reap, as a subreaper").isEqualTo(WaitStatus.killedBy(Libc.SIGTERM));

            assertThatThrownBy(() -> Libc.killpg(group, 0))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ESRCH)).isTrue())
                    .hasMessage("killpg(process group " + group + ", signal 0) failed: ESRCH (No such process): no process is left in that process group");
            assertThatThrownBy(() -> Libc.kill(-group, 0))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.is(Errno.ESRCH)).isTrue());
        } finally {
            killGroupOf(leader);
            closeAll(leader, grandchild);
            Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 0);
            Fds.closeAll(out[0], out[1], devNull);
        }
    }

    private static void killGroupOf(Child leader) throws ErrnoException {
        if (leader == null) {
            return;
        }
        try {
            Libc.killpg(leader.pid, Libc.SIGKILL);
        } catch (ErrnoException e) {
            if (!e.is(Errno.ESRCH)) {
                throw e;
            }
        }
    }

    private static void closeAll(Child... children) throws ErrnoException {
        for (Child child : children) {
            if (child != null) {
                child.close();
            }
        }
    }
}
