import { agentBackendContract } from "./agent-backend-contract";
import { azureAgentsSubject } from "./worlds/azure-agents-world";

agentBackendContract(azureAgentsSubject);
