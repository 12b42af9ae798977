package io.snapline.runtime.device.shm;

import io.snapline.runtime.device.Device;
import io.snapline.runtime.device.DeviceException;
import io.snapline.runtime.device.Packet;
import io.snapline.runtime.device.PacketHandler;

/**
 * Ranks as threads of one JVM; delivery is a direct call into the receiver's handler (small messages go through
 * the engine's rings instead, see {@link #localHandler}).
 */
public final class ShmDevice implements Device {
    private final PacketHandler[] handlers;

    public ShmDevice(int size) {
        if (size < 1) {
            throw new DeviceException("a job needs at least one rank, got " + size);
        }
        this.handlers = new PacketHandler[size];
    }

    /** Registers rank {@code rank}'s receiving side; every rank must register before any rank sends. */
    public void register(int rank, PacketHandler handler) {
        handlers[rank] = handler;
    }

    @Override
    public String name() {
        return "shm";
    }

    @Override
    public int size() {
        return handlers.length;
    }

    @Override
    public void send(Packet packet) {
        handlers[packet.dest()].onPacket(packet);
    }

    @Override
    public PacketHandler localHandler(int rank) {
        return handlers[rank];
    }

    @Override
    public boolean retract(Packet packet) {
        return handlers[packet.dest()].retract(packet);
    }
}
