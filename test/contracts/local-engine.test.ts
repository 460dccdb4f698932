import { agentBackendContract } from "./agent-backend-contract";
import { localSubject } from "./worlds/local-world";

agentBackendContract(localSubject);
