package ipclab.lab01;

final class Placeholder {
}
