/**
 * The AgentBackend contract: what the core relies on from every place the analysis can run, written once and
 * run against each implementation (the `*.test.ts` files beside this one). A turn is: ensure the thread, upload
 * files, add the message, run (or resume after a restart), and sometimes cancel or delete; each story is one
 * thing a turn needs to hold, told through the port and checked behind it at the service.
 */
import { ContractKit } from "./contract-kit";
import type { BackendSubject } from "./contract-world";
import { runStories } from "./run-stories";
import { threadAndFileStories } from "./thread-and-file-stories";

export function agentBackendContract(subject: BackendSubject): void {
  describe(`${subject.name}: the AgentBackend contract`, () => {
    const kit = new ContractKit(subject);
    beforeAll(async () => {
      kit.world = await subject.start();
    });
    afterEach(() => kit.world.release());
    afterAll(() => kit.world?.close());

    threadAndFileStories(kit);
    runStories(kit);
  });
}
