package ipclab.lab11;

/**
 * One app as {@code dump.json} keeps it: its spec, and whether it was stopped when saved (it comes
 * back stopped). pm2 saves the app's whole {@code pm2_env}, 84 keys with the environment of the shell
 * that started it; here the spec holds only what the user gave. Given code.
 *
 * @param spec    the app's settings, as {@code start} got them
 * @param stopped true when it was stopped (or errored) at {@code save}
 */
public record SavedApp(AppSpec spec, boolean stopped) {
}
