def test_health(client):
    assert client.get("/healthz").status_code == 200


def test_admin_creates_period(admin_api):
    response = admin_api.post("/api/v1/periods", json={
        "name": "JPA", "starts_at": "2030-01-01T00:00:00+07:00",
        "ends_at": "2030-02-01T00:00:00+07:00", "states": ["NZL", "LKA"], "co_chairs": ["NZL"]})
    assert response.status_code == 201, response.json
    assert response.json["phase"] == "planning"
