from app.services import tasks

def test_create(actor, contact):
    created = tasks.create_task(actor, {"title": "x", "contact_id": str(contact.id)})
    assert created.task.id

def test_api(client, auth, contact):
    r = client.post("/v1/tasks", json={"title": "Follow up", "contact_name": "muller hans", "due_date": "2026-03-10"}, headers=auth)
    assert r.status_code == 201, r.json
    print(r.json, r.headers["Location"])
    r2 = client.get(r.headers["Location"], headers=auth)
    assert r2.json == r.json
    assert client.get("/v1/nope").json["error"]["code"] == "not_found"
    assert client.delete("/v1/tasks").status_code == 405
