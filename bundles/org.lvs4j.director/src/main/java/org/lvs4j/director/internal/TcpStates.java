package org.lvs4j.director.internal;

import static org.lvs4j.api.ConnectionState.CLOSE;
import static org.lvs4j.api.ConnectionState.CLOSE_WAIT;
import static org.lvs4j.api.ConnectionState.ESTABLISHED;
import static org.lvs4j.api.ConnectionState.FIN_WAIT;
import static org.lvs4j.api.ConnectionState.LAST_ACK;
import static org.lvs4j.api.ConnectionState.LISTEN;
import static org.lvs4j.api.ConnectionState.SYN_RECV;
import static org.lvs4j.api.ConnectionState.SYN_SENT;
import static org.lvs4j.api.ConnectionState.TIME_WAIT;

import org.lvs4j.api.ConnectionState;

/**
 * IPVS's TCP state machine (ip_vs_proto_tcp.c, {@code tcp_states}): the next state is a table lookup by the
 * packet's direction, its most significant flag and the current state.
 *
 * <p>The flag decides the event in the order RST, SYN, FIN, ACK (so SYN+ACK is "syn" and FIN+ACK is "fin"); a
 * segment with none of them moves the connection to CLOSE. Packets from the client use the INPUT rows, replies seen
 * by the director (NAT) the OUTPUT rows; while no reply has been seen on a connection that never shows one (direct
 * routing, tunnelling) client packets use the INPUT-ONLY rows, whose FIN leads to FIN_WAIT rather than CLOSE_WAIT.
 * Columns follow the state order NONE, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT,
 * LAST_ACK, LISTEN, SYNACK.
 */
public final class TcpStates {

    /** Where a packet travels. */
    public enum Direction {
        /** Client to real server. */
        INPUT,
        /** Real server to client, through the director. */
        OUTPUT
    }

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int ACK = 0x10;

    private static final ConnectionState sNO = ConnectionState.NONE;
    private static final ConnectionState sES = ESTABLISHED;
    private static final ConnectionState sSS = SYN_SENT;
    private static final ConnectionState sSR = SYN_RECV;
    private static final ConnectionState sFW = FIN_WAIT;
    private static final ConnectionState sTW = TIME_WAIT;
    private static final ConnectionState sCL = CLOSE;
    private static final ConnectionState sCW = CLOSE_WAIT;
    private static final ConnectionState sLA = LAST_ACK;
    private static final ConnectionState sLI = LISTEN;
    private static final ConnectionState sSA = ConnectionState.SYNACK;

    // [row][current state] where row = direction offset (0 input, 4 output, 8 input-only) + event (syn, fin, ack, rst).
    private static final ConnectionState[][] TABLE = {
        // INPUT    sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA
        /* syn */ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
        /* fin */ {sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW},
        /* ack */ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
        /* rst */ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR},
        // OUTPUT
        /* syn */ {sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR},
        /* fin */ {sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW},
        /* ack */ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES},
        /* rst */ {sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL},
        // INPUT-ONLY
        /* syn */ {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
        /* fin */ {sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW},
        /* ack */ {sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
        /* rst */ {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL},
    };

    private TcpStates() {
    }

    /**
     * The state after a segment.
     *
     * @param current   the connection's state (a TCP state)
     * @param direction where the segment travels
     * @param inputOnly no reply has been seen and none is expected (the connection's NOOUTPUT flag)
     * @param flags     the segment's flags ({@link #SYN}, {@link #FIN}, {@link #ACK}, {@link #RST} bits)
     */
    public static ConnectionState next(ConnectionState current, Direction direction, boolean inputOnly, int flags) {
        int event;
        if ((flags & RST) != 0) {
            event = 3;
        } else if ((flags & SYN) != 0) {
            event = 0;
        } else if ((flags & FIN) != 0) {
            event = 1;
        } else if ((flags & ACK) != 0) {
            event = 2;
        } else {
            return CLOSE;
        }
        int offset = direction == Direction.OUTPUT ? 4 : inputOnly ? 8 : 0;
        return TABLE[offset + event][current.ordinal()];
    }
}
