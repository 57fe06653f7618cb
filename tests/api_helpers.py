"""Assertions shared by the API tests."""


def assert_envelope(response, status: int, code: str) -> dict:
    """The response is docs/rules.md §4's JSON error envelope with this status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error
