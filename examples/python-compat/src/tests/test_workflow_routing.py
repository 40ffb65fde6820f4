import pytest
import asyncio
from httpx import AsyncClient

@pytest.mark.asyncio
async def test_workflow_routing():
    """Test workflow-aware routing"""
    
    async with AsyncClient(base_url="http://localhost:8000") as client:
        workflow_id = "test-workflow-123"
        
        # First agent request
        response1 = await client.post(
            "/v1/completions",
            json={
                "model": "llama",
                "prompt": "Analyze data",
                "max_tokens": 100,
                "workflow_metadata": {
                    "workflow_id": workflow_id,
                    "agent_id": "analyzer"
                }
            }
        )
        assert response1.status_code == 200
        
        # Second agent request (should route to same instance)
        response2 = await client.post(
            "/v1/completions",
            json={
                "model": "llama",
                "prompt": "Summarize analysis",
                "max_tokens": 100,
                "workflow_metadata": {
                    "workflow_id": workflow_id,
                    "agent_id": "summarizer"
                }
            }
        )
        assert response2.status_code == 200
        
        # Check workflow status
        status = await client.get(f"/v1/workflows/{workflow_id}/status")
        assert status.json()["active_agents"] >= 2

@pytest.mark.asyncio
async def test_agent_communication():
    """Test A2A messaging"""
    
    async with AsyncClient(base_url="http://localhost:8000") as client:
        workflow_id = "test-workflow-456"
        
        # Send message
        await client.post(
            f"/v1/workflows/{workflow_id}/messages",
            json={
                "source_agent": "agent1",
                "target_agent": "agent2",
                "payload": {"data": "test message"}
            }
        )
        
        # Receive message
        response = await client.get(
            f"/v1/workflows/{workflow_id}/agents/agent2/messages"
        )
        
        messages = response.json()["messages"]
        assert len(messages) == 1
        assert messages[0]["payload"]["data"] == "test message"
