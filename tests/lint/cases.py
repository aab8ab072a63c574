"""Golden cases, one per rule: cells that trigger it and a clean counterpart that must not.

The expected output of ``nb2prod lint --select CODE`` on each ``bad`` notebook is in
``data/golden/<rule_name>.txt``. To regenerate after a deliberate change, run
``pytest tests/lint --update-golden`` (or ``NB2PROD_UPDATE_GOLDEN=1``) and read the diff before committing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbformat.v4 import new_output

from lint_helpers import code, md

# Fake credentials, assembled so that secret scanners do not flag this file. They match the provider
# patterns but belong to nobody (AKIAIOSFODNN7EXAMPLE is AWS's documented example key id).
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
GITHUB_TOKEN = "ghp" + "_" + "x1Y2z3" * 6
RANDOM_40 = "q8Jz" + "T3mVx9LpR2wKc7NdYh4Fs6Bg1HtQe5Zu0AvXo"
SECRETS = (AWS_KEY, GITHUB_TOKEN, RANDOM_40, "hunter2!", "s3cr3t-Pa55")


@dataclass
class Case:
    rule: str
    code: str
    bad: list[Any]
    clean: list[Any]
    bad_name: str = "analysis.ipynb"
    clean_name: str = "analysis.ipynb"
    files: dict[str, str] = field(default_factory=dict)


def stream(text: str) -> Any:
    return new_output("stream", name="stdout", text=text)


def error(ename: str) -> Any:
    return new_output("error", ename=ename, evalue="boom", traceback=[f"{ename}: boom"])


def result(text: str) -> Any:
    return new_output("execute_result", data={"text/plain": text}, execution_count=1)


CASES = [
    Case(
        "non-linear-execution-order", "NB101",
        bad=[md("# Title"), code("import os", 2), code("x = 1", 1), code("y = 2", 3), code("z = 3", 3)],
        clean=[md("# Title"), code("import os", 1), code("x = 1", 2), code("", None), code("y = 2", 3)],
    ),
    Case(
        "skipped-execution-count", "NB102",
        bad=[code("import os", 3), code("x = 1", 4), code("y = 2", 9)],
        clean=[code("import os", 1), code("x = 1", 2), code("y = 2", 3)],
    ),
    Case(
        "unexecuted-cell", "NB103",
        bad=[code("import os", 1), code("x = 1"), code("y = 2", 2), code("z = 3")],
        clean=[code("import os", 1), code("x = 1", 2), code("y = 2", 3), code("   ")],
    ),
    Case(
        "use-before-definition", "NB104",
        bad=[
            code("total = df['amount'].sum()\nshare = total / df['amount'].count()"),
            code("df = load_sales()\nprint(undefined_anywhere)"),
            code("print(df, later)"),
            code("later = 1\nimport math"),
            code("x = [math.pi for df in range(3)]"),
        ],
        clean=[
            code("def report():\n    return late_name * 2"),
            code("df = load_sales()\ntotal = df['amount'].sum()"),
            code("late_name = 3\nprint(report(), len(df))"),
            code("values = [row for row in range(3)]\nrow = 1"),
        ],
    ),
    Case(
        "committed-output", "NB105",
        bad=[code("x = 1", 1), code("x", 2, outputs=[result("1")]), code("print(x)\nx", 3, outputs=[stream("1\n"), result("1")])],
        clean=[code("x = 1", 1), code("1 / 0", 2, outputs=[error("ZeroDivisionError")])],
    ),
    Case(
        "committed-error-output", "NB106",
        bad=[code("x = 1", 1), code("1 / 0", 2, outputs=[stream("starting\n"), error("ZeroDivisionError")])],
        clean=[code("x = 1", 1, outputs=[stream("ok\n")])],
    ),
    Case(
        "import-not-at-top", "NB201",
        bad=[
            md("# Sales"),
            code("import pandas as pd\ndf = pd.read_csv('sales.csv')\nimport os"),
            code("import numpy as np\nfrom math import pi\ny = np.log(pi)"),
        ],
        clean=[
            md("# Sales"),
            code('%matplotlib inline\n"""Load the sales."""\nimport pandas as pd\ntry:\n    import orjson\nexcept ImportError:\n    orjson = None'),
            code("import numpy as np"),
            code("df = pd.read_csv('sales.csv')\n\ndef helper():\n    import json\n    return json"),
        ],
    ),
    Case(
        "star-import", "NB202",
        bad=[code("from os.path import *\nimport os"), code("from pyspark.sql.functions import *")],
        clean=[code("from os.path import join\nfrom pyspark.sql import functions as F")],
    ),
    Case(
        "function-reads-global", "NB203",
        bad=[
            code("rate = 0.2\nfor item in range(3):\n    pass"),
            code("def with_tax(amount):\n    return amount * (1 + rate) + rate"),
            code(
                "class Report:\n    def total(self):\n        return sum(range(item))\n\n"
                "def outer():\n    def inner():\n        return rate\n    return inner"
            ),
        ],
        clean=[
            code("import numpy as np\nrate = 0.2\nTAX = 0.1\nitem = 3"),
            code(
                "def with_tax(amount, rate=rate):\n    return amount * (1 + rate + TAX)\n\n"
                "def local():\n    item = 4\n    return np.sum(item)\n\n"
                "def uses_global():\n    global rate\n    return rate\n\n"
                "def calls():\n    return with_tax(local())\n\n"
                "def comprehension():\n    return [item for item in range(3)]"
            ),
        ],
    ),
    Case(
        "global-statement", "NB204",
        bad=[code("total = 0\ndef add(amount):\n    global total, count\n    total += amount")],
        clean=[code("def add(total, amount):\n    return total + amount\n\ndef counter():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n    return inc")],
    ),
    Case(
        "long-cell", "NB205",
        bad=[code("\n".join(f"x{i} = {i}" for i in range(31))), code("\n\n".join(f"y{i} = {i}" for i in range(30)))],
        clean=[code("\n\n".join(f"y{i} = {i}" for i in range(30)))],
    ),
    Case(
        "long-notebook", "NB206",
        bad=[md("# Long")] + [code(f"x{i} = {i}") for i in range(52)],
        clean=[md(f"step {i}") for i in range(20)] + [code(f"x{i} = {i}") for i in range(50)],
    ),
    Case(
        "redefined-across-cells", "NB207",
        bad=[
            code("df = load()\ndef clean(d):\n    return d"),
            code("df = df.dropna()\ndf = df.head()"),
            code("def clean(d):\n    return d.dropna()\nclass Model: pass"),
            code("class Model: pass\nlimit: int = 3"),
            code("limit: int = 5"),
        ],
        clean=[
            code("df = load()\ndf = df.dropna()\nfor i in range(3):\n    pass\ntotal = 0\n_ = 1"),
            code("for i in range(3):\n    total += i\n_ = 2\nwith open('f') as fh:\n    pass"),
            code("with open('g') as fh:\n    pass\nimport os"),
            code("import os"),
        ],
    ),
    Case(
        "unused-import", "NB208",
        bad=[code("import numpy as np\nimport os.path\nfrom math import pi, tau\nimport pandas"), code("pandas.read_csv('x')\nprint(tau)")],
        clean=[
            code("from __future__ import annotations\nimport numpy as np\nimport os\nfrom math import pi\nimport json"),
            code("def f():\n    return os.getcwd(), json.dumps(1)\n%timeit np.sum([pi])"),
            # used only in a return annotation and in a lambda's keyword-only default
            code("from typing import List\nfrom os import sep\ndef g() -> List:\n    return []\nh = lambda *, s=sep: s"),
        ],
    ),
    Case(
        "cell-syntax-error", "NB209",
        bad=[code("df = df[df.amount > 0"), code("print 'python 2'"), code("x = 1")],
        clean=[code("files = !ls\n%time y = 1\ndf.head?"), code("%%bash\necho 'not python' {\n")],
    ),
    Case(
        "print-call", "NB301",
        bad=[code("print('rows:', 3)\nfrom pprint import pprint as show\nshow({'a': 1})\nimport pprint\npprint.pp([1])")],
        clean=[code("import logging\nlog = logging.getLogger(__name__)\nlog.info('rows: %d', 3)\nprinter = None\ndoc.print_summary()")],
    ),
    Case(
        "display-call", "NB302",
        bad=[code("display(df)\nfrom IPython.display import display as show\nshow(df.head())")],
        clean=[code("display_name = 'sales'\nreport.display(df)\ndef display_all(): pass\ndisplay_all()")],
    ),
    Case(
        "trailing-expression", "NB303",
        bad=[code("df = load()\ndf.describe()"), code("df"), code("x == 3"), code("df['a'].value_counts()  # look")],
        clean=[code("plt.show()"), code("df;"), code('"""A docstring."""'), code("x = 1"), code("df.head()  # nb2prod: noqa: NB303"), code("print(x)")],
    ),
    Case(
        "ipython-magic", "NB304",
        bad=[
            code("%matplotlib inline\nfiles = !ls data/\ndf.head?\n!echo hi"),
            code("%%time\nx = sum(range(10))"),
            code("ip = get_ipython()\nget_ipython().run_line_magic('load_ext', 'autoreload')\n%pip list"),
        ],
        clean=[code("x = 5 % 2\n# is this right?\ns = '%matplotlib'\ny = x != 2\n%pip install pandas")],
    ),
    Case(
        "inline-install", "NB305",
        bad=[
            code("%pip install lightgbm\n!pip install -q 'xgboost<3'\n!python -m pip install polars\n%conda install -y numpy"),
            code("!uv pip install rich\nx = !pip3 install tqdm"),
        ],
        clean=[code("%pip list\n!pip freeze\n!ls install/\n%conda env list")],
    ),
    Case(
        "empty-cell", "NB306",
        bad=[md("# Title"), code(""), md("  \n"), code("x = 1"), code("\n\n")],
        clean=[md("# Title"), code("x = 1"), code("# just a note")],
    ),
    Case(
        "commented-out-cell", "NB307",
        bad=[code("# df = df[df.amount > 0]\n# df.to_csv('clean.csv')"), code("x = 1"), code("#import os\n\n#os.listdir('.')")],
        clean=[code("# Setup"), code("# TODO: explain the cleaning steps\n# see the wiki"), code("# df = df.dropna()\nx = 1")],
    ),
    Case(
        "untitled-notebook", "NB308",
        bad=[code("x = 1")], bad_name="Untitled3.ipynb",
        clean=[code("x = 1")], clean_name="clean_sales.ipynb",
    ),
    Case(
        "untitled-notebook", "NB308",
        bad=[code("x = 1")], bad_name="clean_sales-Copy1.ipynb",
        clean=[code("x = 1")], clean_name="copy_of_untitled_notes.ipynb",
    ),
    Case(
        "hard-coded-secret", "NB401",
        bad=[
            code(f"aws_key = '{AWS_KEY}'\nconn = connect(host='db', password='hunter2!')"),
            code("settings = {'api_key': 's3cr3t-Pa55', 'region': 'eu'}\nsettings['refresh_token'] = 's3cr3t-Pa55'"),
            code(f"headers = {{'Authorization': f'token {GITHUB_TOKEN}'}}\nsigning_blob = '{RANDOM_40}'"),
            code("url = 'postgresql://etl:s3cr3t-Pa55@db.internal:5432/sales'\nself.db_pwd: str = 'hunter2!'"),
            code(f"r = requests.get(url, headers={{'Authorization': 'Bearer {RANDOM_40}'}})\nauth = 'Bearer ' + token"),
            code(f"KEY = \"\"\"-----BEGIN {'PRIVATE'} KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END {'PRIVATE'} KEY-----\"\"\""),
        ],
        clean=[
            code(
                "import os\naws_key = os.environ['AWS_ACCESS_KEY_ID']\npassword = ''\napi_key = '<your api key>'\n"
                "token = '${TOKEN}'\npassword_prompt = 'Enter your password:'\ntoken_column = 'token_count'\n"
                "tokenizer = 'bert-base-uncased'\nrun_id = '123e4567-e89b-12d3-a456-426614174000'\n"
                "checksum = 'd41d8cd98f00b204e9800998ecf8427e'\ncolumn = 'customer_lifetime_value_2024'\n"
                "secret_name = 'prod/db'\nurl = 'postgresql://etl:${DB_PASSWORD}@db.internal/sales'"
            )
        ],
    ),
    Case(
        "secret-in-output", "NB402",
        bad=[
            code("print(cfg)", 1, outputs=[stream(f"loaded: {{'aws_access_key_id': '{AWS_KEY}'}}\n")]),
            code("cfg", 2, outputs=[result("{'db_password': 's3cr3t-Pa55', 'host': 'db'}")]),
            code("connect()", 3, outputs=[error("OperationalError")]),
            code("print(headers)", 4, outputs=[stream(f"{{'Authorization': 'Bearer {RANDOM_40}'}}\n")]),
        ],
        clean=[
            code("print(stats)", 1, outputs=[stream("token_count: 512\npassword_policy = strict\napi_key=<redacted>\n")]),
            code("stats", 2, outputs=[result("{'rows': 1200, 'secret_name': 'prod/db'}")]),
        ],
    ),
    Case(
        "secret-in-markdown", "NB406",
        bad=[
            md(f"Call the API with `curl -H 'Authorization: Bearer {RANDOM_40[:8]}1{RANDOM_40[8:24]}'`"),
            md(f"The deploy key:\n\n    -----BEGIN OPENSSH {'PRIVATE'} KEY-----\n    b3BlbnNzaC1rZXktdjEAAAAA\n"),
            md(f"token: `{GITHUB_TOKEN}`"),
            code("x = 1"),
        ],
        clean=[
            md("Call the API with `curl -H 'Authorization: Bearer $API_TOKEN'`; the password is in the vault."),
            md("Bearer authentication is described in RFC 6750; api_key=<your key>"),
            code("x = 1"),
        ],
    ),
    Case(
        "absolute-path", "NB403",
        bad=[
            code(
                "df = pd.read_csv('/home/ana/sales.csv')\nraw = '~/data/raw'\nwin = r'C:\\Users\\ana\\orders.xlsx'\n"
                "mount = '/dbfs/mnt/lake/events'\nout = f'/tmp/{name}/out.parquet'\nreport = '/reports/summary.html'"
            )
        ],
        clean=[
            code(
                "route = '/api/v1/users'\nurl = 'https://example.com/data/sales.csv'\nrel = 'data/raw/sales.csv'\n"
                "lake = 's3://bucket/events/2024.parquet'\ndivider = '/'\nnote = '/ is the root'"
            )
        ],
    ),
    Case(
        "undeclared-import", "NB404",
        bad=[
            code("import pandas as pd\nimport lightgbm\nimport sklearn.model_selection\nfrom google.cloud import bigquery"),
            code("import lightgbm as lgb\nimport os, yaml"),
        ],
        clean=[
            code(
                "import os\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
                "import cv2\nimport helpers\nfrom .local import thing\nfrom google.cloud import storage\nimport mypkg.sub"
            )
        ],
        files={
            "requirements.txt": "pandas>=2.2  # data frames\n-r other.txt\nscikit-learn==1.5\nopencv-python-headless\n",
            "pyproject.toml": '[project]\nname = "mypkg"\ndependencies = ["google-cloud-storage>=2"]\n',
            "helpers.py": "",
        },
    ),
    Case(
        "unseeded-random", "NB405",
        bad=[
            code(
                "import random\nimport numpy as np\nfrom sklearn.model_selection import train_test_split\n"
                "from pyspark.sql import functions as F\nx = np.random.rand(3)\npick = random.choice([1, 2])"
            ),
            code(
                "rng = np.random.default_rng()\ntrain, test = train_test_split(df)\nsample = df.sample(frac=0.1)\n"
                "df2 = sdf.withColumn('r', F.rand())\nparts = sdf.randomSplit([0.8, 0.2])\nnp.random.seed(0)\ny = np.random.rand(2)"
            ),
        ],
        clean=[
            code("import random\nimport numpy as np\nfrom sklearn.model_selection import train_test_split\nrandom.seed(1)\nnp.random.seed(0)"),
            code(
                "x = np.random.rand(3)\npick = random.choice([1, 2])\nrng = np.random.default_rng(42)\n"
                "train, test = train_test_split(df, random_state=0)\nsample = df.sample(frac=0.1, random_state=1)\n"
                "spark_sample = sdf.sample(0.1, 42)\nparts = sdf.randomSplit([0.8, 0.2], seed=7)\ny = rng.random()"
            ),
        ],
    ),
    Case(
        "collect-without-limit", "NB501",
        bad=[
            code(
                "rows = spark.table('events').filter('country = \"NL\"').collect()\npdf = events.toPandas()\n"
                "per_country = events.groupBy('country').agg(F.count('*')).collect()"
            )
        ],
        clean=[
            code(
                "preview = spark.table('events').limit(20).collect()\nsmall = events.sample(0.01).toPandas()\n"
                "total = events.agg(F.sum('amount')).collect()[0][0]\nfirst = events.head(5)\nnames = ','.join(collect())"
            )
        ],
    ),
    Case(
        "collect-without-limit", "NB501",
        bad=[code("import polars as pl\nimport pyspark\nout = lf.collect()")],
        clean=[code("import polars as pl\nout = pl.scan_csv('x.csv').filter(pl.col('a') > 1).collect()")],
    ),
    Case(
        "row-iteration", "NB502",
        bad=[
            code(
                "for _, row in df.iterrows():\n    check(row)\nfor row in df.itertuples():\n    pass\n"
                "df['total'] = df.apply(lambda r: r['price'] * r['qty'], axis=1)\nflags = df.apply(check, 1)\n"
                "labels = df.apply(label, axis='columns')"
            )
        ],
        clean=[code("df['total'] = df['price'] * df['qty']\nmeans = df.apply(np.mean)\nclipped = df.apply(clip, axis=0)\nfor key, value in d.items():\n    pass")],
    ),
    Case(
        "chained-assignment", "NB503",
        bad=[
            code(
                "import pandas as pd\norders = pd.read_csv('orders.csv')\nrecent = orders.tail(10)\n"
                "orders['status'][orders.amount < 0] = 'refund'\nrecent.loc[recent.amount > 5]['flag'] = True\n"
                "df['a'][0] = 1\nsales_df.amount[3] += 2"
            )
        ],
        clean=[
            code(
                "import pandas as pd\norders = pd.read_csv('orders.csv')\norders.loc[orders.amount < 0, 'status'] = 'refund'\n"
                "config = {'a': {}}\nconfig['a']['b'] = 1\nmatrix[0][1] = 0\ndf.loc[0, 'a'] = 1\ndf['a'] = 2"
            )
        ],
    ),
    Case(
        "inplace-true", "NB504",
        bad=[code("df.dropna(subset=['amount'], inplace=True)\ndf.rename(columns={'a': 'b'},\n          inplace=True)\nreset_index(inplace=True)")],
        clean=[code("df = df.dropna(subset=['amount'])\ndf.sort_values('a', inplace=False)")],
    ),
]
