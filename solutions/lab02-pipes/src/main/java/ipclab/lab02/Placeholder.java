package ipclab.lab02;

final class Placeholder {
}
