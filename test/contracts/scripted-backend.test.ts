import { agentBackendContract } from "./agent-backend-contract";
import { scriptedSubject } from "./worlds/scripted-world";

agentBackendContract(scriptedSubject);
