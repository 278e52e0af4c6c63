import net from 'node:net';

/** Whether something accepts connections on 127.0.0.1:port (or on the host and port of a URL). */
export function portIsOpen(target: number | string): Promise<boolean> {
  const { hostname, port } = typeof target === 'number' ? { hostname: '127.0.0.1', port: String(target) } : new URL(target);
  return new Promise((resolve) => {
    const sock = net.connect({ host: hostname, port: Number(port) });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
