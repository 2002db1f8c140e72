/**
 * A one-line progress indicator on stderr, shown only on a terminal (never in --json mode or in
 * a pipe, where it would corrupt what scripts read).
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  update(text: string): void;
  stop(finalLine?: string): void;
}

export function startSpinner(
  text: string,
  stream: NodeJS.WriteStream = process.stderr,
  enabled = stream.isTTY === true,
): Spinner {
  if (!enabled) return { update() {}, stop() {} };
  let current = text;
  let frame = 0;
  const draw = () => stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  draw();
  const timer = setInterval(draw, 80);
  return {
    update(next) {
      current = next;
      draw();
    },
    stop(finalLine) {
      clearInterval(timer);
      stream.write(`\r\x1b[2K${finalLine ? `${finalLine}\n` : ''}`);
    },
  };
}
