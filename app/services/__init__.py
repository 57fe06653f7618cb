"""The service layer: the one place where the product's rules live.

Views (app/web) and the API (app/api) parse their input into plain values, call a
function here, and render its result or the typed error it raised (errors.py).
"""
