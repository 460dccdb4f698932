import { agentBackendContract } from "./agent-backend-contract";
import { azureResponsesSubject } from "./worlds/azure-responses-world";

agentBackendContract(azureResponsesSubject);
