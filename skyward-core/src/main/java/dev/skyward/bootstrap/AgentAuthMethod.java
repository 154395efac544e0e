package dev.skyward.bootstrap;

import java.io.IOException;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

/**
 * SSH "publickey" authentication (RFC 4252 §7) with one key held by an ssh-agent: first ask whether
 * the server accepts the key, then send the request signed by the agent.
 */
final class AgentAuthMethod extends AbstractAuthMethod {

    private final SshAgentClient agent;
    private final SshAgentClient.Identity identity;
    private final String algorithm;
    private final int flags;

    AgentAuthMethod(SshAgentClient agent, SshAgentClient.Identity identity) {
        super("publickey");
        this.agent = agent;
        this.identity = identity;
        boolean rsa = identity.algorithm().equals("ssh-rsa");
        this.algorithm = rsa ? "rsa-sha2-256" : identity.algorithm();
        this.flags = rsa ? SshAgentClient.RSA_SHA2_256 : 0;
    }

    @Override
    protected SSHPacket buildReq() throws UserAuthException {
        return request(false);
    }

    private SSHPacket request(boolean signed) throws UserAuthException {
        return super.buildReq().putBoolean(signed).putString(algorithm).putString(identity.blob());
    }

    @Override
    public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
        if (cmd != Message.USERAUTH_60) { // SSH_MSG_USERAUTH_PK_OK: the server would accept this key
            super.handle(cmd, buf);
            return;
        }
        SSHPacket req = request(true);
        byte[] toSign = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(req)
                .getCompactData();
        try {
            req.putString(agent.sign(identity.blob(), toSign, flags));
        } catch (IOException e) {
            throw new UserAuthException("signing with key '" + identity.comment() + "' failed: " + e.getMessage(), e);
        }
        params.getTransport().write(req);
    }

    @Override
    public String toString() {
        return "ssh-agent key " + identity.comment() + " (" + identity.algorithm() + ")";
    }
}
