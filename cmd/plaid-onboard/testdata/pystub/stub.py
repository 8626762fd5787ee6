# A stand-in for plaid-python (PyPI is out of reach here), written by e2e_code_test.go as the
# package `plaid` in a temporary folder. It accepts what plaid-python accepts for the calls the
# generated programs make: models built with keyword arguments, the Products and CountryCode
# enums, PlaidApi methods named after the endpoints. It records every call (method, model,
# body) in $STUB_RECORD and sends it to $PLAID_API_URL (the emulator), so the program runs end
# to end. $STUB_ENDPOINTS maps each method to its endpoint.
import importlib.abc
import importlib.machinery
import json
import os
import re
import sys
import urllib.error
import urllib.request


class Environment:
    Sandbox = "https://sandbox.plaid.com"
    Production = "https://production.plaid.com"


class Configuration:
    def __init__(self, host=None, api_key=None):
        self.host = host
        self.api_key = api_key or {}


class ApiClient:
    def __init__(self, configuration):
        if not isinstance(configuration, Configuration):
            raise TypeError("ApiClient takes a plaid.Configuration")
        self.configuration = configuration


class ApiException(Exception):
    def __init__(self, status=None, body=None):
        super().__init__(status)
        self.status = status
        self.body = body


ENUMS = ("Products", "CountryCode")


class Model:
    """A request model: keyword arguments only, each a plain value, a list or another model."""

    def __init__(self, *args, **kwargs):
        if args:
            raise TypeError("%s takes keyword arguments only" % type(self).__name__)
        for k, v in kwargs.items():
            if isinstance(v, dict):
                raise TypeError("%s.%s is a dict: plaid-python wants its model" % (type(self).__name__, k))
        self.kwargs = kwargs

    def to_dict(self):
        return {k: plain(v) for k, v in self.kwargs.items()}


class Enum:
    def __init__(self, value):
        if not isinstance(value, str):
            raise TypeError("%s takes a string" % type(self).__name__)
        self.value = value


def plain(v):
    if isinstance(v, Model):
        return v.to_dict()
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def models(v, out):
    if isinstance(v, (Model, Enum)):
        out.append(type(v).__name__)
    if isinstance(v, Model):
        for x in v.kwargs.values():
            models(x, out)
    if isinstance(v, list):
        for x in v:
            models(x, out)
    return out


def snake(name):
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class _Models(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes plaid.model.<snake> modules whose one class is named after them."""

    def find_spec(self, name, path, target=None):
        if name.startswith("plaid.model."):
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        wanted = module.__name__.rsplit(".", 1)[1]

        def attr(name):
            if snake(name) != wanted:
                raise AttributeError("plaid.model.%s has no %s" % (wanted, name))
            return type(name, (Enum if name in ENUMS else Model,), {})

        module.__getattr__ = attr


sys.meta_path.insert(0, _Models())


class Answer(dict):
    def to_dict(self):
        return dict(self)


class PlaidApi:
    def __init__(self, api_client):
        self.configuration = api_client.configuration

    def __getattr__(self, method):
        endpoints = json.loads(os.environ["STUB_ENDPOINTS"])
        if method not in endpoints:
            raise AttributeError("PlaidApi has no method %s" % method)
        endpoint = endpoints[method]
        want = "".join(p[:1].upper() + p[1:] for p in re.split("[/_]", endpoint.strip("/"))) + "Request"

        def call(request):
            if type(request).__name__ != want:
                raise TypeError("%s takes a %s, not a %s" % (method, want, type(request).__name__))
            body = request.to_dict()
            with open(os.environ["STUB_RECORD"], "a", encoding="utf-8") as f:
                f.write(json.dumps({"method": method, "endpoint": endpoint, "models": models(request, []), "body": body}) + "\n")
            key = self.configuration.api_key
            req = urllib.request.Request(
                self.configuration.host + endpoint,
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", "PLAID-CLIENT-ID": key["clientId"], "PLAID-SECRET": key["secret"]},
                method="POST",
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return Answer(json.loads(resp.read()))
            except urllib.error.HTTPError as e:
                raise ApiException(status=e.code, body=e.read().decode())

        return call
