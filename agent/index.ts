/** The kiosk scanner agent: public entry for programs that embed it. */
export { Agent, type AgentOptions } from './agent.ts';
export { loadConfig, ConfigError, type AgentConfig } from './config.ts';
export { startAgent, check, createLogger, type RunningAgent } from './run.ts';
export { Journal, JournalFullError } from './journal.ts';
export { NatsLink, type ScanLink, type LinkEvents } from './link.ts';
export {
  TerminalFeedback,
  terminalBell,
  describe as describeFeedback,
  type Feedback,
  type FeedbackOutput,
  type Beeper,
} from './feedback.ts';
export {
  scan,
  tick,
  IDLE,
  REFUSAL_MESSAGES,
  type SessionState,
  type ScanOutcome,
  type LocalRefusal,
} from './session.ts';
export type { ScannerSource, ScannerEvents } from './source.ts';
export { StdinSource } from './stdin-source.ts';
export { HidSource, UDEV_HINT } from './hid/hid-source.ts';
export {
  nodeHid,
  parseSelector,
  type HidBackend,
  type HidHandle,
  type HidDeviceInfo,
  type DeviceSelector,
} from './hid/device.ts';
export { KeyboardDecoder } from './hid/keyboard.ts';
export { PosDecoder, type PosBarcode } from './hid/pos.ts';
export { LAYOUTS, type LayoutName } from './hid/layouts.ts';
