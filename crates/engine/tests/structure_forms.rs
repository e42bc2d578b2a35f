//! Credentials in structure and private keys, in the forms real repositories
//! hold them: every common syntax (env, YAML, JSON, TOML, INI, properties, XML,
//! HCL, shell, Dockerfile, compose, Kubernetes, source code), quoting style,
//! line ending and encoding. Each case is a snippet at a realistic path, run
//! through the full built-in rule set, with the expected outcome: a finding
//! holding the expected secret, or no finding at all (the hard negatives:
//! placeholders, references, documentation values, public keys, certificates).
//!
//! Every value that would look like a secret is generated at run time from a
//! fixed seed, so this file holds nothing a scanner could mistake for one.

use base64::Engine as _;
use leaktrap_engine::{Engine, Match, Scratch};
use leaktrap_rules::{builtin_rules, RuleSet};

mod common;
use common::Gen;

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGIT: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// This file's own shapes.
impl Gen {
    fn alnum(&mut self, n: usize) -> String {
        // Always mixes cases and digits, like a generated credential.
        let mut s = self.from(UPPER, 1) + &self.from(LOWER, 1) + &self.from(DIGIT, 1);
        s += &self.from(ALNUM, n.saturating_sub(3));
        s
    }

    /// A password with punctuation in `punct` somewhere in its middle.
    fn pw_with(&mut self, n: usize, punct: &[u8]) -> String {
        let mut s = self.alnum(n);
        let p = self.from(punct, 2);
        let at = 4 + (self.next() % (n as u64 - 8)) as usize;
        s.insert_str(at, &p);
        s.truncate(n);
        s.push_str(&self.from(DIGIT, 1));
        s
    }

    /// A password safe in a URL's userinfo and in most config syntaxes.
    fn pw(&mut self, n: usize) -> String {
        self.pw_with(n, b"-_.~!*")
    }

    /// Lines of a PEM body: `n` random bytes in base64, 64 per line.
    fn pem_body(&mut self, n: usize) -> Vec<String> {
        self.b64(n)
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect()
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `-----BEGIN <label>-----`, built here so the source holds no PEM armour.
fn armour(edge: &str, label: &str) -> String {
    format!("{d}{edge} {label}{d}", d = "-----")
}

/// A whole PEM block as lines.
fn pem(g: &mut Gen, label: &str, bytes: usize) -> Vec<String> {
    let mut v = vec![armour("BEGIN", label)];
    v.extend(g.pem_body(bytes));
    v.push(armour("END", label));
    v
}

enum Want {
    /// An unsuppressed finding whose secret (raw or decoded) is one of these.
    Secret(Vec<String>),
    /// At least one unsuppressed finding (the secret's exact span is the
    /// rule's business: a whole key block, an encoded blob).
    Any,
    /// No unsuppressed finding of any rule.
    Nothing,
}

struct Case {
    name: String,
    path: &'static str,
    text: String,
    want: Want,
}

struct Cases(Vec<Case>);

impl Cases {
    fn pos(&mut self, name: &str, path: &'static str, text: String, secret: &str) {
        self.0.push(Case {
            name: name.into(),
            path,
            text,
            want: Want::Secret(vec![secret.to_string()]),
        });
    }
    fn pos_any_of(&mut self, name: &str, path: &'static str, text: String, secrets: &[&str]) {
        self.0.push(Case {
            name: name.into(),
            path,
            text,
            want: Want::Secret(secrets.iter().map(|s| s.to_string()).collect()),
        });
    }
    fn found(&mut self, name: &str, path: &'static str, text: String) {
        self.0.push(Case {
            name: name.into(),
            path,
            text,
            want: Want::Any,
        });
    }
    fn neg(&mut self, name: &str, path: &'static str, text: impl Into<String>) {
        self.0.push(Case {
            name: name.into(),
            path,
            text: text.into(),
            want: Want::Nothing,
        });
    }
}

fn connection_strings(g: &mut Gen, c: &mut Cases) {
    let p = g.pw(20);
    c.pos(
        "postgres .env",
        ".env",
        format!("DATABASE_URL=postgres://app_user:{p}@db.internal:5432/app\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "postgresql CRLF compose",
        "docker-compose.yml",
        format!("services:\r\n  api:\r\n    environment:\r\n      - DATABASE_URL=postgresql://orders:{p}@postgres:5432/orders?sslmode=disable\r\n"),
        &p,
    );
    let p = g.pw(22);
    c.pos(
        "sqlalchemy asyncpg python",
        "app/settings.py",
        format!("SQLALCHEMY_DATABASE_URI = 'postgresql+asyncpg://svc:{p}@10.0.3.12:5432/orders'\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "mysql yaml",
        "config/database.yml",
        format!("production:\n  url: \"mysql2://rails:{p}@mysql.internal:3306/app_production\"\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "mariadb go",
        "internal/db/db.go",
        format!("\tdsn := \"mariadb://app:{p}@tcp(db:3306)/app\"\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "go mysql driver dsn",
        "cmd/api/main.go",
        format!("\tdb, err := sql.Open(\"mysql\", \"appuser:{p}@tcp(mysql.internal:3306)/orders?parseTime=true\")\n"),
        &p,
    );
    let p = g.alnum(16);
    c.pos(
        "mongodb+srv js",
        "src/db.js",
        format!("await mongoose.connect('mongodb+srv://svc-api:{p}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true&w=majority');\n"),
        &p,
    );
    let p = g.alnum(24);
    c.pos(
        "mongodb replica set ts",
        "src/config.ts",
        format!("export const MONGO_URI = `mongodb://admin:{p}@mongo-0:27017,mongo-1:27017/admin?replicaSet=rs0`;\n"),
        &p,
    );
    let p = g.alnum(32);
    c.pos(
        "rediss with user toml",
        "config/app.toml",
        format!("[cache]\nurl = \"rediss://default:{p}@redis-12345.cloud.redislabs.test:12345\"\n"),
        &p,
    );
    let p = g.alnum(28);
    c.pos(
        "redis no user rust",
        "src/cache.rs",
        format!("    let client = redis::Client::open(\"redis://:{p}@127.0.0.1:6379/0\")?;\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "amqps php",
        "config/queue.php",
        format!("    'dsn' => 'amqps://orders:{p}@b-1234.mq.eu-west-1.amazonaws.com:5671/%2f',\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "mssql+pyodbc ini",
        "alembic.ini",
        format!("[alembic]\nsqlalchemy.url = mssql+pyodbc://sa:{p}@sql.internal:1433/app?driver=ODBC+Driver+18+for+SQL+Server\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "oracle sqlalchemy",
        "etl/config.py",
        format!("ORACLE_URL = \"oracle+oracledb://scott:{p}@oradb.internal:1521/?service_name=ORCLPDB1\"\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "clickhouse env",
        "deploy/clickhouse.env",
        format!("CLICKHOUSE_URL=clickhouse://default:{p}@ch.internal:9000/analytics\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "cassandra yaml",
        "config/cassandra.yaml",
        format!("contact_url: cassandra://cassandra_app:{p}@cass-0.internal:9042/keyspace\n"),
        &p,
    );
    let p = g.alnum(43);
    c.pos(
        "neo4j+s",
        ".env.production",
        format!("NEO4J_URI=neo4j+s://neo4j:{p}@1a2b3c4d.databases.neo4j.io\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "jdbc postgres user/password params",
        "src/main/resources/application.properties",
        format!(
            "spring.datasource.url=jdbc:postgresql://db:5432/app?user=app&password={p}&ssl=true\n"
        ),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "jdbc mysql userinfo",
        "src/main/resources/application.yml",
        format!("spring:\n  datasource:\n    url: jdbc:mysql://app:{p}@mysql.internal:3306/app\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "jdbc sqlserver semicolons xml",
        "src/main/webapp/WEB-INF/context.xml",
        format!("<Resource name=\"jdbc/app\" url=\"jdbc:sqlserver://sql.internal:1433;databaseName=app;user=svc;password={p};encrypt=true\"/>\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "jdbc oracle thin user/pass",
        "src/main/resources/db.properties",
        format!("db.url=jdbc:oracle:thin:scott/{p}@oradb.internal:1521/ORCLPDB1\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "jdbc oracle thin user/pass //host",
        "src/main/java/com/acme/Db.java",
        format!("    private static final String URL = \"jdbc:oracle:thin:app/{p}@//oradb.internal:1521/svc\";\n"),
        &p,
    );
    let p = g.pw_with(20, b"!#$%^*-_");
    c.pos(
        "ado.net appsettings",
        "src/Web/appsettings.Production.json",
        format!("{{\n  \"ConnectionStrings\": {{\n    \"Default\": \"Server=tcp:acme-sql.database.windows.net,1433;Initial Catalog=orders;User ID=orders_app;Password={p};Encrypt=True;\"\n  }}\n}}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "ado.net password first web.config",
        "src/Web/Web.config",
        format!("  <connectionStrings>\n    <add name=\"Default\" connectionString=\"Password={p};Persist Security Info=True;User ID=sa;Initial Catalog=Orders;Data Source=SQL01\" providerName=\"System.Data.SqlClient\" />\n  </connectionStrings>\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "ado.net lowercase uid/pwd c#",
        "src/Data/Db.cs",
        format!("        var cs = \"server=mysql.internal;uid=app;pwd={p};database=orders\";\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "ado.net user id before server, no trailing semicolon",
        "src/App/App.config",
        format!("    <add key=\"Db\" value=\"User Id=app;Password={p};Data Source=ora.internal:1521/ORCL\" />\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "odbc driver string",
        "etl/odbc.py",
        format!("conn = pyodbc.connect('DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=sql.internal;DATABASE=dw;UID=etl;PWD={p}')\n"),
        &p,
    );
    let raw = g.pw(12) + "@#/";
    let enc = pct(&raw);
    c.pos_any_of(
        "percent-encoded password",
        "config/encoded.env",
        format!("DATABASE_URL=postgres://app:{enc}@db.internal:5432/app\n"),
        &[&enc, &raw],
    );
    let p = format!("{}@{}", g.alnum(8), g.alnum(8));
    c.pos(
        "raw @ in password",
        ".env",
        format!("DATABASE_URL=postgresql://app:{p}@db.internal:5432/app\n"),
        &p,
    );
    let p = format!("{}#{}$", g.alnum(8), g.alnum(8));
    c.pos(
        "raw # and $ in password",
        "config/.env.local",
        format!("REDIS_URL=redis://default:{p}@cache.internal:6379\n"),
        &p,
    );

    // Placeholders and documentation values stay quiet.
    c.neg(
        "placeholders in URLs",
        ".env.example",
        "DATABASE_URL=postgres://user:${DB_PASSWORD}@host/db\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/dev\nMONGO_URL=mongodb+srv://<username>:<password>@cluster0.mongodb.net/\nREDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379\nBROKER_URL=amqp://guest:guest@localhost:5672//\nDB_URL=mysql://user:password@localhost\nDB_URL=mysql://root:changeme@localhost/app\n",
    );
    c.neg(
        "jdbc placeholders",
        "src/main/resources/application.properties",
        "spring.datasource.url=jdbc:mysql://db/app?user=app&password=${DB_PASS}\ndb.url=jdbc:oracle:thin:scott/tiger@localhost:1521/XE\ndb.url=jdbc:oracle:thin:@//oradb:1521/svc\n",
    );
    c.neg(
        "ado.net placeholders",
        "src/Web/appsettings.Development.json",
        "\"Default\": \"Server=db;Database=app;User Id=sa;Password=$(SA_PASSWORD);\",\n\"Other\": \"Server=db;User Id=sa;Password=<YourStrong@Passw0rd>;\",\n\"Fmt\": \"Server={0};User Id={1};Password={2};\",\n\"Trusted\": \"Server=localhost;Database=app;Trusted_Connection=True;\",\n\"Env\": \"Server=db;User Id=sa;Password=%DB_PASSWORD%;\",\n\"Octo\": \"Server=db;User Id=sa;Password=#{DbPassword};\"\n",
    );
}

fn urls(g: &mut Gen, c: &mut Cases) {
    let p = g.pw(20);
    c.pos(
        "https git remote",
        "scripts/mirror.sh",
        format!("git remote add origin https://deploy:{p}@git.acme.test/platform/infra.git\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "ftp in yaml",
        "backup/config.yaml",
        format!("target: \"ftp://backup:{p}@ftp.acme.test/nightly/\"\n"),
        &p,
    );
    let p = g.alnum(24);
    c.pos(
        "smtp with encoded user",
        "config/mail.env",
        format!("MAIL_URL=smtp://alerts%40acme.test:{p}@smtp.acme.test:587\n"),
        &p,
    );
    let t = g.alnum(40);
    c.pos(
        "git+https token pip",
        "requirements.txt",
        format!("acme-internal @ git+https://ci:{t}@git.acme.test/acme/internal.git@v1.4.0\n"),
        &t,
    );
    let t = g.alnum(40);
    c.pos(
        "token as userinfo, no password",
        "scripts/clone.sh",
        format!("git clone https://{t}@git.acme.test/acme/infra.git\n"),
        &t,
    );
    let t = g.alnum(36);
    c.pos(
        "token as userinfo in Dockerfile",
        "Dockerfile",
        format!("RUN pip install git+https://{t}@git.acme.test/acme/lib.git\n"),
        &t,
    );
    let p = g.pw(20);
    c.pos(
        "git-credentials line",
        "home/ci/.git-credentials",
        format!("https://ci-bot:{p}@git.acme.test\n"),
        &p,
    );
    c.neg(
        "doc URLs and refs",
        "README.md",
        "Use https://user:pass@example.com or https://user:password@host.\n\
         git clone https://${GITHUB_TOKEN}@github.com/acme/repo.git\n\
         git clone https://x-access-token:${{ secrets.GITHUB_TOKEN }}@github.com/acme/repo.git\n\
         pip install git+https://github.com/acme/repo.git@v1.2.3#egg=repo\n\
         ssh://git@github.com/acme/repo.git and ftp://anonymous@ftp.acme.test\n\
         https://username@bitbucket.org/acme/repo.git\n",
    );
    let dsn = g.hex(32);
    c.neg(
        "sentry dsn is public",
        "src/sentry.js",
        format!("Sentry.init({{ dsn: 'https://{dsn}@o123456.ingest.sentry.io/4504' }});\n"),
    );
}

fn http(g: &mut Gen, c: &mut Cases) {
    let cred = b64(format!("svc-reports:{}", g.pw(18)).as_bytes());
    c.pos(
        "basic header in log",
        "logs/requests.log",
        format!("2025-03-01T10:00:01Z DEBUG > Authorization: Basic {cred}\n"),
        &cred,
    );
    let cred = b64(format!("proxy:{}", g.pw(18)).as_bytes());
    c.pos(
        "basic header nginx",
        "deploy/nginx/site.conf",
        format!("    proxy_set_header Authorization \"Basic {cred}\";\n"),
        &cred,
    );
    let cred = b64(format!("ci:{}", g.pw(20)).as_bytes());
    c.pos(
        "basic header curl --header=",
        "scripts/upload.sh",
        format!("curl --header=\"Authorization: Basic {cred}\" -T app.tgz https://nexus.acme.test/repo/\n"),
        &cred,
    );
    let cred = b64(format!("ci:{}", g.pw(20)).as_bytes());
    c.pos(
        "basic header httpie",
        "docs/api.md",
        format!("http POST https://api.acme.test/v1/jobs Authorization:\"Basic {cred}\"\n"),
        &cred,
    );
    let t = g.alnum(40);
    c.pos(
        "bearer in nginx",
        "deploy/nginx/upstream.conf",
        format!("    proxy_set_header Authorization \"Bearer {t}\";\n"),
        &t,
    );
    let t = g.alnum(40);
    c.pos(
        "bearer curl -H",
        "scripts/smoke.sh",
        format!("curl -sS -H 'Authorization: Bearer {t}' https://api.acme.test/v1/me\n"),
        &t,
    );
    let p = g.pw(18);
    c.pos(
        "curl -u",
        "scripts/fetch.sh",
        format!(
            "curl -sf -u deploy:{p} https://nexus.acme.test/repository/raw/app.tgz -o app.tgz\n"
        ),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "curl --user= quoted",
        "scripts/fetch.sh",
        format!("curl --user='ci-bot:{p}' -X POST https://jenkins.acme.test/job/deploy/build\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "curl -u on a continuation line",
        "README.md",
        format!("curl -X POST \\\n  -H 'Content-Type: application/json' \\\n  -u admin:{p} \\\n  https://grafana.acme.test/api/dashboards/db\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "httpie -a",
        "scripts/api.sh",
        format!("http -a admin:{p} GET https://registry.acme.test/v2/_catalog\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "wget --password",
        "scripts/get.sh",
        format!("wget --user=deploy --password={p} https://files.acme.test/build.tar.gz\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "python requests auth tuple",
        "tools/sync.py",
        format!("resp = requests.get(url, auth=(\"svc-sync\", \"{p}\"), timeout=10)\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "python HTTPBasicAuth",
        "tools/sync.py",
        format!("session.auth = HTTPBasicAuth('svc-sync', '{p}')\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "go SetBasicAuth",
        "internal/client/client.go",
        format!("\treq.SetBasicAuth(\"svc-sync\", \"{p}\")\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "c# NetworkCredential",
        "src/Mail/Sender.cs",
        format!("            client.Credentials = new NetworkCredential(\"alerts@acme.test\", \"{p}\");\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "php CURLOPT_USERPWD",
        "lib/Client.php",
        format!("curl_setopt($ch, CURLOPT_USERPWD, 'svc:{p}');\n"),
        &p,
    );
    c.neg(
        "http placeholders",
        "scripts/api.sh",
        "curl -u \"$USER:$PASS\" https://api.acme.test\n\
         curl -u admin:${ADMIN_PASSWORD} http://localhost:9200\n\
         curl -H \"Authorization: Bearer $TOKEN\" https://api.acme.test\n\
         curl -H 'Authorization: Basic ${BASIC_AUTH}' https://api.acme.test\n\
         Authorization: Bearer <token>\n\
         requests.get(url, auth=(user, password))\n\
         req.SetBasicAuth(cfg.User, cfg.Password)\n\
         new NetworkCredential(user, password)\n\
         curl -u user:password https://api.acme.test\n",
    );
}

fn credential_files(g: &mut Gen, c: &mut Cases) {
    let p = g.pw(20);
    c.pos(
        "netrc one line",
        "home/ci/.netrc",
        format!("machine api.acme.test login ops@acme.test password {p}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "netrc multi line CRLF",
        "home/ci/_netrc",
        format!("machine nexus.acme.test\r\n  login deploy\r\n  password {p}\r\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "netrc password before login",
        "home/ci/.netrc",
        format!("machine git.acme.test password {p} login ci\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "netrc default entry",
        "home/ci/.netrc",
        format!("default login anonymous password {p}\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "pgpass default port",
        "home/ci/.pgpass",
        format!("db.acme.test:5432:orders:orders_app:{p}\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "pgpass pgbouncer port",
        "home/ci/.pgpass",
        format!("pgbouncer.internal:6432:*:app:{p}\n"),
        &p,
    );
    let t = g.alnum(40);
    c.pos(
        "npmrc scoped authToken",
        ".npmrc",
        format!("@acme:registry=https://npm.acme.test/\n//npm.acme.test/:_authToken={t}\n"),
        &t,
    );
    let a = b64(format!("ci-reader:{}", g.pw(18)).as_bytes());
    c.pos(
        "npmrc _auth spaced",
        ".npmrc",
        format!("_auth = {a}\nalways-auth = true\n"),
        &a,
    );
    let a = b64(g.pw(18).as_bytes());
    c.pos(
        "npmrc scoped _password",
        ".npmrc",
        format!("//nexus.acme.test/repository/npm/:username=deploy\n//nexus.acme.test/repository/npm/:_password=\"{a}\"\n"),
        &a,
    );
    let t = g.alnum(36);
    c.pos(
        "yarnrc npmAuthToken",
        ".yarnrc.yml",
        format!("npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.acme.test\"\n    npmAuthToken: \"{t}\"\n"),
        &t,
    );
    let p = g.pw(20);
    c.pos(
        "pypirc custom index",
        "home/ci/.pypirc",
        format!("[distutils]\nindex-servers =\n    internal\n\n[internal]\nrepository = https://pypi.acme.test/simple/\nusername = uploader\npassword = {p}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "pypirc pypi",
        "home/ci/.pypirc",
        format!("[pypi]\r\nusername = acme-release\r\npassword = {p}\r\n"),
        &p,
    );
    let t = format!("rubygems_{}", g.hex(48));
    c.pos(
        "gem credentials",
        "home/ci/.gem/credentials",
        format!("---\n:rubygems_api_key: {t}\n"),
        &t,
    );
    let a = b64(format!("robot$ci:{}", g.pw(24)).as_bytes());
    c.pos(
        "docker config localhost registry",
        "home/ci/.docker/config.json",
        format!("{{\n  \"auths\": {{\n    \"localhost:5000\": {{\n      \"auth\": \"{a}\"\n    }}\n  }}\n}}\n"),
        &a,
    );
    let a = b64(format!("acmebuild:{}", g.pw(20)).as_bytes());
    c.pos(
        "docker config hub",
        "home/ci/.docker/config.json",
        format!("{{\"auths\":{{\"https://index.docker.io/v1/\":{{\"auth\":\"{a}\",\"email\":\"ci@acme.test\"}}}}}}\n"),
        &a,
    );
    let p = g.pw(20);
    c.pos(
        "kubeconfig basic password",
        "home/ci/.kube/config",
        format!("users:\n- name: admin\n  user:\n    username: admin\n    password: {p}\n"),
        &p,
    );
    let key = pem(g, "RSA PRIVATE KEY", 600).join("\n") + "\n";
    let blob = b64(key.as_bytes());
    c.found(
        "kubeconfig client-key-data",
        "home/ci/.kube/config",
        format!("users:\n- name: admin\n  user:\n    client-certificate-data: {}\n    client-key-data: {blob}\n", g.b64(300)),
    );
    let p = g.pw(18);
    c.pos(
        "my.cnf",
        "home/ci/.my.cnf",
        format!("[client]\nuser = backup\npassword = \"{p}\"\nhost = db.internal\n"),
        &p,
    );
    let s = g.b64(30);
    c.pos(
        "s3cfg",
        "home/ci/.s3cfg",
        format!(
            "[default]\naccess_key = {}\nsecret_key = {s}\nhost_base = s3.acme.test\n",
            g.alnum(20)
        ),
        &s,
    );
    let p = g.alnum(40);
    c.pos(
        "rclone obscured pass",
        "home/ci/.config/rclone/rclone.conf",
        format!("[nextcloud]\ntype = webdav\nurl = https://cloud.acme.test/remote.php/dav/files/ops\nvendor = nextcloud\nuser = ops\npass = {p}\n"),
        &p,
    );
    let s = g.b64(30);
    c.pos(
        "rclone s3 secret",
        "home/ci/.config/rclone/rclone.conf",
        format!(
            "[s3]\ntype = s3\nprovider = Other\naccess_key_id = {}\nsecret_access_key = {s}\n",
            g.alnum(20)
        ),
        &s,
    );
    let apr = format!(
        "$apr1${}${}",
        g.alnum(8),
        g.from(
            b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            22
        )
    );
    c.pos(
        "htpasswd apr1",
        "deploy/nginx/.htpasswd",
        format!("admin:{apr}\n"),
        &apr,
    );
    let sha = format!(
        "$6${}${}",
        g.alnum(16),
        g.from(
            b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            86
        )
    );
    c.pos(
        "shadow sha512",
        "rootfs/etc/shadow",
        format!("root:{sha}:19722:0:99999:7:::\n"),
        &sha,
    );
    let p = g.pw_with(20, b"!#%^*-_");
    c.pos(
        "wp-config DB_PASSWORD",
        "wp-config.php",
        format!("define( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '{p}' );\n"),
        &p,
    );
    let salt = g.from(
        b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*()-_[]{}<>~+=,.;:/?|",
        64,
    );
    c.pos(
        "wp-config AUTH_KEY",
        "wp-config.php",
        format!("define('AUTH_KEY',         '{salt}');\n"),
        &salt,
    );
    c.neg(
        "credential file placeholders",
        "home/ci/.netrc",
        "machine github.com login user password password\nmachine example.com login anonymous password <password>\n",
    );
    c.neg(
        "npmrc refs",
        ".npmrc",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n_auth=${NPM_AUTH}\n",
    );
    c.neg(
        "docker config no auth",
        "home/ci/.docker/config.json",
        "{\"auths\": {\"ghcr.io\": {}}, \"credsStore\": \"desktop\"}\n",
    );
    c.neg(
        "wp-config sample",
        "wp-config-sample.php",
        "define( 'DB_PASSWORD', 'password_here' );\ndefine( 'AUTH_KEY',         'put your unique phrase here' );\ndefine( 'DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') );\n",
    );
    c.neg(
        "kubeconfig token ref",
        "home/ci/.kube/config",
        "users:\n- name: ci\n  user:\n    token: ${K8S_TOKEN}\n",
    );
}

fn cli(g: &mut Gen, c: &mut Cases) {
    let p = g.pw(20);
    c.pos(
        "redis-server --requirepass compose",
        "docker-compose.yml",
        format!("    command: redis-server --appendonly yes --requirepass {p}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "redis-cli -a",
        "scripts/flush.sh",
        format!("redis-cli -h cache.internal -a '{p}' --no-auth-warning FLUSHALL\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "mysql -p",
        "scripts/restore.sh",
        format!("mysql -h db.acme.test -u root -p{p} orders < schema.sql\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "mysqldump --password=",
        "scripts/backup.sh",
        format!("mysqldump --user=backup --password=\"{p}\" --all-databases > dump.sql\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "PGPASSWORD psql",
        "scripts/migrate.sh",
        format!("PGPASSWORD={p} psql -h db.internal -U app -d app -f migrate.sql\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "sshpass -p",
        "scripts/deploy.sh",
        format!("sshpass -p '{p}' ssh -o StrictHostKeyChecking=no deploy@10.0.0.5 'sudo systemctl restart app'\n"),
        &p,
    );
    let p = g.pw(24);
    c.pos(
        "docker login -p",
        ".gitlab-ci.yml",
        format!("  script:\n    - docker login -u gitlab-ci -p {p} registry.acme.test\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "single-dash -password= flyway",
        "docker-compose.yml",
        format!("    command: -url=jdbc:mysql://db/app -user=root -password={p} migrate\n"),
        &p,
    );
    let p = g.pw(16);
    c.pos(
        "--admin-password",
        "scripts/bootstrap.sh",
        format!("az vm create -n vm1 -g rg --image Ubuntu2204 --admin-username ops --admin-password '{p}'\n"),
        &p,
    );
    let t = g.alnum(40);
    c.pos(
        "--token",
        ".github/workflows/release.yml",
        format!("      - run: ./release.sh --token {t} --tag v1.2.3\n"),
        &t,
    );
    let t = g.alnum(32);
    c.pos(
        "--api-key=",
        "Makefile",
        format!(
            "\tnuget push pkg.nupkg --api-key={t} --source https://nuget.acme.test/v3/index.json\n"
        ),
        &t,
    );
    let t = g.alnum(32);
    c.pos(
        "--client-secret",
        "scripts/login.sh",
        format!("vendorctl auth login --client-id 8c3f1a --client-secret \"{t}\"\n"),
        &t,
    );
    c.neg(
        "cli refs",
        "scripts/ci.sh",
        "docker login -u ci -p \"$CI_REGISTRY_PASSWORD\" $CI_REGISTRY\n\
         echo \"$TOKEN\" | docker login --username ci --password-stdin\n\
         redis-cli -a \"$REDIS_PASSWORD\" ping\n\
         sshpass -p \"$SSH_PASS\" ssh host\n\
         mysql -u root -p orders\n\
         tool --token $(cat /run/secrets/token)\n\
         tool --token-file /run/secrets/token --api-key=${API_KEY}\n\
         gh auth login --with-token < token.txt\n\
         docker buildx build --secret id=npmrc,src=$HOME/.npmrc .\n\
         kubectl create secret generic db --from-literal=password=$DB_PASSWORD\n\
         app --password <password> --secret-name prod-db\n",
    );
}

fn java_dotnet(g: &mut Gen, c: &mut Cases) {
    let p = g.pw(18);
    c.pos(
        "maven settings",
        "home/ci/.m2/settings.xml",
        format!("<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n      <username>deployer</username>\n      <password>{p}</password>\n    </server>\n  </servers>\n</settings>\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "gradle.properties",
        "gradle.properties",
        format!("org.gradle.jvmargs=-Xmx2g\nnexusUsername=deployer\nnexusPassword={p}\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "gradle groovy credentials block",
        "build.gradle",
        format!("    repositories {{\n        maven {{\n            url 'https://nexus.acme.test/repository/releases/'\n            credentials {{\n                username 'deployer'\n                password '{p}'\n            }}\n        }}\n    }}\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "spring datasource property",
        "src/main/resources/application-prod.properties",
        format!("spring.datasource.username=app\nspring.datasource.password={p}\n"),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "spring mail yaml nested",
        "src/main/resources/application.yml",
        format!(
            "spring:\n  mail:\n    host: smtp.acme.test\n    username: alerts\n    password: {p}\n"
        ),
        &p,
    );
    let p = g.pw(18);
    c.pos(
        "custom dotted password property",
        "src/main/resources/app.properties",
        format!("app.integration.sftp.password = {p}\n"),
        &p,
    );
    // A password with a dot and no other punctuation (`Ab3x.Yz9`) is taken
    // for a dotted identifier by the generic rules' filters: not here.
    let p = g.pw_with(16, b"-_~!*");
    c.pos(
        "web.config appSettings",
        "src/Web/Web.config",
        format!(
            "  <appSettings>\n    <add key=\"SmtpPassword\" value=\"{p}\" />\n  </appSettings>\n"
        ),
        &p,
    );
    let k = g.b64(48);
    c.pos(
        "appsettings Jwt Key",
        "src/Web/appsettings.Production.json",
        format!("{{\n  \"Jwt\": {{\n    \"Issuer\": \"https://auth.acme.test\",\n    \"Audience\": \"api\",\n    \"Key\": \"{k}\"\n  }}\n}}\n"),
        &k,
    );
    let k = g.alnum(48);
    c.pos(
        "appsettings JwtSettings Secret",
        "src/Api/appsettings.json",
        format!(
            "  \"JwtSettings\": {{\n    \"Secret\": \"{k}\",\n    \"ExpiryMinutes\": 60\n  }},\n"
        ),
        &k,
    );
    c.neg(
        "java placeholders",
        "src/main/resources/application.properties",
        "spring.datasource.password=${DB_PASSWORD}\nspring.mail.password=changeme\napp.db.password=\n",
    );
    c.neg(
        "maven ref",
        "home/ci/.m2/settings.xml",
        "      <password>${env.MAVEN_PASSWORD}</password>\n      <password>{COQLCE6DU6GtcS5P=}</password>\n",
    );
}

fn frameworks(g: &mut Gen, c: &mut Cases) {
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";
    let k = g.from(alphabet, 50);
    c.pos(
        "django settings",
        "mysite/settings.py",
        format!("SECRET_KEY = '{k}'\n"),
        &k,
    );
    let k = format!("django-insecure-{}", g.from(alphabet, 50));
    c.pos(
        "django insecure in shell export",
        "scripts/deploy.sh",
        format!("export DJANGO_SECRET_KEY=\"{k}\"\n"),
        &k,
    );
    let k = g.from(b"abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)", 50);
    c.pos(
        "django env default",
        "mysite/settings.py",
        format!("SECRET_KEY = env('DJANGO_SECRET_KEY', default='{k}')\n"),
        &k,
    );
    let k = format!("base64:{}", g.b64(32));
    c.pos("laravel .env", ".env", format!("APP_KEY={k}\n"), &k);
    let k = format!("base64:{}", g.b64(32));
    c.pos(
        "laravel config/app.php env default",
        "config/app.php",
        format!("    'key' => env('APP_KEY', '{k}'),\n"),
        &k,
    );
    let k = format!("base64:{}", g.b64(32));
    c.pos(
        "laravel key in json",
        "config/production.json",
        format!("{{\n  \"appKey\": \"{k}\"\n}}\n"),
        &k,
    );
    let k = g.hex(128);
    c.pos(
        "rails secret_key_base",
        "config/secrets.yml",
        format!("production:\n  secret_key_base: {k}\n"),
        &k,
    );
    let k = g.hex(64);
    c.pos(
        "flask config",
        "app/__init__.py",
        format!("app.config['SECRET_KEY'] = '{k}'\n"),
        &k,
    );
    let k = g.alnum(32);
    c.pos(
        "flask config update",
        "app/factory.py",
        format!("    app.config.update(SECRET_KEY='{k}', DEBUG=False)\n"),
        &k,
    );
    c.neg(
        "framework placeholders",
        "config/app.php",
        "    'key' => env('APP_KEY'),\nAPP_KEY=\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\napp.secret_key = 'dev'\n",
    );
}

fn terraform_elastic_nextcloud_ansible(g: &mut Gen, c: &mut Cases) {
    let p = g.pw(20);
    c.pos(
        "tfvars",
        "envs/prod/terraform.tfvars",
        format!("db_password = \"{p}\"\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "tf variable default",
        "variables.tf",
        format!("variable \"db_password\" {{\n  type      = string\n  sensitive = true\n  default   = \"{p}\"\n}}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "tf resource attribute",
        "main.tf",
        format!("resource \"aws_db_instance\" \"main\" {{\n  engine         = \"postgres\"\n  username       = \"app\"\n  password       = \"{p}\"\n}}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "tfstate",
        "terraform.tfstate",
        format!("          \"attributes\": {{\n            \"password\": \"{p}\",\n            \"username\": \"app\"\n"),
        &p,
    );
    c.neg(
        "tf refs",
        "main.tf",
        "  password = var.db_password\n  password = random_password.db.result\n  default = \"\"\n  default = null\n",
    );

    let p = g.pw(20);
    c.pos("elastic env", ".env", format!("ELASTIC_PASSWORD={p}\n"), &p);
    let p = g.pw(20);
    c.pos(
        "kibana yml",
        "config/kibana.yml",
        format!("elasticsearch.username: \"kibana_system\"\nelasticsearch.password: \"{p}\"\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "opensearch initial admin",
        "docker-compose.yml",
        format!("    environment:\n      - OPENSEARCH_INITIAL_ADMIN_PASSWORD={p}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "elasticsearch python basic_auth",
        "search/client.py",
        format!(
            "es = Elasticsearch(\"https://es.internal:9200\", basic_auth=(\"elastic\", \"{p}\"))\n"
        ),
        &p,
    );
    let k = b64(format!("{}:{}", g.alnum(20), g.alnum(22)).as_bytes());
    c.pos(
        "elastic ApiKey header",
        "scripts/es.sh",
        format!("curl -H \"Authorization: ApiKey {k}\" https://es.internal:9200/_cat/indices\n"),
        &k,
    );
    c.neg(
        "elastic placeholders",
        "docker-compose.yml",
        "      - ELASTIC_PASSWORD=changeme\n      - ELASTIC_PASSWORD=${ELASTIC_PASSWORD}\n      - OPENSEARCH_INITIAL_ADMIN_PASSWORD=${OPENSEARCH_PASSWORD}\n",
    );

    let np = format!(
        "{}-{}-{}-{}-{}",
        g.alnum(5),
        g.alnum(5),
        g.alnum(5),
        g.alnum(5),
        g.alnum(5)
    );
    c.pos(
        "nextcloud app password env",
        ".env",
        format!("NEXTCLOUD_APP_PASSWORD={np}\n"),
        &np,
    );
    let np2 = format!(
        "{}-{}-{}-{}-{}",
        g.alnum(5),
        g.alnum(5),
        g.alnum(5),
        g.alnum(5),
        g.alnum(5)
    );
    c.pos(
        "nextcloud app password in webdav client config",
        "sync/config.yaml",
        format!("# Nextcloud sync\nwebdav:\n  url: https://cloud.acme.test/remote.php/dav/files/ops/\n  user: ops\n  pass: {np2}\n"),
        &np2,
    );
    let salt = g.alnum(30);
    c.pos(
        "nextcloud config.php secret",
        "config/config.php",
        format!(
            "$CONFIG = array (\n  'instanceid' => 'oc{}',\n  'passwordsalt' => '{salt}',\n",
            g.alnum(10)
        ),
        &salt,
    );

    let p = g.pw(20);
    c.pos(
        "ansible inventory ssh pass",
        "inventory/hosts.ini",
        format!("[web]\nweb1.acme.test ansible_user=deploy ansible_ssh_pass={p}\n"),
        &p,
    );
    let p = g.pw(20);
    c.pos(
        "ansible become yaml",
        "group_vars/all.yml",
        format!("ansible_become_password: \"{p}\"\n"),
        &p,
    );
    let p = g.alnum(32);
    c.pos(
        "vault pass written by CI",
        ".gitlab-ci.yml",
        format!("    - echo \"{p}\" > .vault_pass.txt\n"),
        &p,
    );
    c.neg(
        "ansible refs",
        "group_vars/all.yml",
        "ansible_become_password: \"{{ vault_become_password }}\"\nansible_password: !vault |\nvault_password_file = ~/.vault_pass.txt\n    - echo \"$VAULT_PASS\" > .vault_pass\n",
    );
}

fn containers(g: &mut Gen, c: &mut Cases) {
    // Passwords with a dot: the image-specific rules keep them.
    let p = g.pw_with(20, b".");
    c.pos(
        "compose image env password",
        "services/exporter/docker-compose.yml",
        format!("  db:\n    image: mysql:8\n    environment:\n      MYSQL_ROOT_PASSWORD: {p}\n"),
        &p,
    );
    let p = g.pw_with(20, b".");
    c.pos(
        "docker run -e",
        "scripts/dev-db.sh",
        format!("docker run -d --name pg -e POSTGRES_PASSWORD={p} -p 5432:5432 postgres:16\n"),
        &p,
    );
    let p = g.pw_with(20, b"!.");
    c.pos(
        "Dockerfile ENV",
        "docker/mssql/Dockerfile",
        format!("FROM mcr.microsoft.com/mssql/server:2022-latest\nENV ACCEPT_EULA=Y\nENV MSSQL_SA_PASSWORD=\"{p}\"\n"),
        &p,
    );
    let p = g.pw_with(20, b".");
    c.pos(
        "k8s env name/value",
        "deploy/k8s/deployment.yaml",
        format!(
            "        env:\n        - name: SPRING_DATASOURCE_PASSWORD\n          value: \"{p}\"\n"
        ),
        &p,
    );
    let t = g.alnum(32);
    c.pos(
        "ecs task definition",
        "deploy/ecs/task-def.json",
        format!("{{\n  \"environment\": [\n    {{ \"name\": \"PAYMENTS_API_TOKEN\", \"value\": \"{t}\" }}\n  ]\n}}\n"),
        &t,
    );
    c.neg(
        "container refs",
        "deploy/k8s/deployment.yaml",
        "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: db\n              key: password\n        - name: API_TOKEN\n          value: \"{{ .Values.apiToken }}\"\n      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD}\n",
    );
    c.neg(
        "compose default password",
        "docker-compose.yml",
        "      POSTGRES_PASSWORD: postgres",
    );
}

fn private_keys(g: &mut Gen, c: &mut Cases) {
    for (label, path) in [
        ("RSA PRIVATE KEY", "keys/id_rsa"),
        ("EC PRIVATE KEY", "keys/ec.pem"),
        ("DSA PRIVATE KEY", "keys/id_dsa"),
        ("PRIVATE KEY", "keys/server.key"),
        ("ENCRYPTED PRIVATE KEY", "keys/server.enc.key"),
        ("OPENSSH PRIVATE KEY", "keys/id_ed25519"),
    ] {
        let lines = pem(g, label, 400);
        let block = lines.join("\n");
        c.pos(&format!("pem {label}"), path, block.clone() + "\n", &block);
        let crlf = lines.join("\r\n");
        c.pos(
            &format!("pem {label} CRLF"),
            path,
            crlf.clone() + "\r\n",
            &crlf,
        );
    }
    let mut lines = pem(g, "RSA PRIVATE KEY", 600);
    lines.insert(1, "Proc-Type: 4,ENCRYPTED".into());
    lines.insert(
        2,
        format!("DEK-Info: AES-256-CBC,{}", g.hex(32).to_uppercase()),
    );
    lines.insert(3, String::new());
    c.found(
        "pem legacy encrypted",
        "keys/legacy.key",
        lines.join("\n") + "\n",
    );

    let mut lines = vec![armour("BEGIN", "PGP PRIVATE KEY BLOCK"), String::new()];
    lines.extend(g.pem_body(500));
    lines.push(format!("={}", g.b64(3)));
    lines.push(armour("END", "PGP PRIVATE KEY BLOCK"));
    c.found("pgp", "keys/signing.asc", lines.join("\n") + "\n");

    // PuTTY v2 and v3 (v3 with Argon2 encryption headers).
    let mut ppk = vec![
        "PuTTY-User-Key-File-3: ssh-ed25519".to_string(),
        "Encryption: aes256-cbc".into(),
        "Comment: deploy".into(),
        "Public-Lines: 2".into(),
    ];
    ppk.extend(g.pem_body(60));
    ppk.push("Key-Derivation: Argon2id".into());
    ppk.push("Argon2-Memory: 8192".into());
    ppk.push("Argon2-Passes: 13".into());
    ppk.push("Argon2-Parallelism: 1".into());
    ppk.push(format!("Argon2-Salt: {}", g.hex(32)));
    ppk.push("Private-Lines: 1".into());
    ppk.extend(g.pem_body(48));
    ppk.push(format!("Private-MAC: {}", g.hex(64)));
    c.found(
        "ppk v3 argon2",
        "keys/deploy.ppk",
        ppk.join("\r\n") + "\r\n",
    );
    let mut ppk = vec![
        "PuTTY-User-Key-File-2: ssh-rsa".to_string(),
        "Encryption: none".into(),
        "Comment: rsa-key-20190312".into(),
        "Public-Lines: 6".into(),
    ];
    ppk.extend(g.pem_body(270));
    ppk.push("Private-Lines: 14".into());
    ppk.extend(g.pem_body(650));
    ppk.push(format!("Private-MAC: {}", g.hex(40)));
    c.found("ppk v2", "keys/old.ppk", ppk.join("\n") + "\n");

    // Indented in YAML block scalars.
    let lines = pem(g, "RSA PRIVATE KEY", 600);
    let ind: Vec<String> = lines.iter().map(|l| format!("    {l}")).collect();
    c.found(
        "yaml block scalar |",
        "deploy/values.yaml",
        format!("tls:\n  key: |\n{}\n", ind.join("\n")),
    );
    let lines = pem(g, "OPENSSH PRIVATE KEY", 400);
    let ind: Vec<String> = lines.iter().map(|l| format!("          {l}")).collect();
    c.found(
        "yaml block scalar |- in workflow",
        ".github/workflows/deploy.yml",
        format!(
            "      - name: key\n        env:\n          SSH_KEY: |-\n{}\n",
            ind.join("\n")
        ),
    );
    // Terraform heredoc.
    let lines = pem(g, "EC PRIVATE KEY", 120);
    c.found(
        "terraform heredoc",
        "main.tf",
        format!(
            "  private_key = <<-EOT\n    {}\n  EOT\n",
            lines.join("\n    ")
        ),
    );
    // Escaped newlines: GCP service account JSON, YAML double-quoted, env.
    let key = pem(g, "PRIVATE KEY", 1200).join("\n") + "\n";
    let esc = key.replace('\n', "\\n");
    c.found(
        "gcp service account json",
        "credentials/service-account.json",
        format!("{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{esc}\",\n  \"client_email\": \"deployer@acme-prod.iam.gserviceaccount.com\"\n}}\n", g.hex(40)),
    );
    let key = pem(g, "RSA PRIVATE KEY", 600).join("\r\n");
    let esc = key.replace("\r\n", "\\r\\n");
    c.found(
        "escaped CRLF in env",
        ".env",
        format!("JWT_PRIVATE_KEY=\"{esc}\"\n"),
    );
    let key = pem(g, "OPENSSH PRIVATE KEY", 400).join("\n");
    let esc = key.replace('\n', "\\\\n");
    c.found(
        "double-escaped in json-in-json",
        "deploy/task-def.json",
        format!("{{\"environment\": \"{{\\\"SSH_KEY\\\": \\\"{esc}\\\"}}\"}}\n"),
    );
    let key = pem(g, "PGP PRIVATE KEY BLOCK", 400).join("\n");
    let esc = key.replace('\n', "\\n");
    c.found(
        "escaped pgp",
        "ci/secrets.json",
        format!("{{\"gpg\": \"{esc}\"}}\n"),
    );
    let key = pem(g, "RSA PRIVATE KEY", 600).join(" ");
    c.found(
        "spaces instead of newlines",
        ".env",
        format!("PRIVATE_KEY=\"{key}\"\n"),
    );
    // Base64 of the whole PEM: Kubernetes TLS secret, kubeconfig.
    let key = pem(g, "PRIVATE KEY", 1200).join("\n") + "\n";
    let blob = b64(key.as_bytes());
    let cert = b64((pem(g, "CERTIFICATE", 800).join("\n") + "\n").as_bytes());
    c.found(
        "k8s tls secret",
        "deploy/k8s/tls-secret.yaml",
        format!("apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: {cert}\n  tls.key: {blob}\n"),
    );
    let key = pem(g, "OPENSSH PRIVATE KEY", 400).join("\n") + "\n";
    let blob = b64(key.as_bytes());
    c.found(
        "base64 openssh in env",
        ".github/workflows/ci.env",
        format!("DEPLOY_KEY_B64={blob}\n"),
    );
    // Concatenated string literals, line by line.
    let lines = pem(g, "RSA PRIVATE KEY", 600);
    let go: Vec<String> = lines.iter().map(|l| format!("\t\"{l}\\n\"")).collect();
    c.found(
        "go concatenation",
        "internal/auth/testkey.go",
        format!("const signingKey = {}\n", go.join(" +\n").trim_start()),
    );
    let lines = pem(g, "PRIVATE KEY", 1200);
    let mut java = format!(
        "    private static final String KEY = \"{}\\n\"\n",
        lines[0]
    );
    for l in &lines[1..] {
        java += &format!("        + \"{l}\\n\"\n");
    }
    java += "        ;\n";
    c.found(
        "java concatenation",
        "src/main/java/com/acme/Keys.java",
        java,
    );
    let lines = pem(g, "EC PRIVATE KEY", 120);
    let py: Vec<String> = lines.iter().map(|l| format!("    \"{l}\\n\"")).collect();
    c.found(
        "python implicit concatenation",
        "tests/keys.py",
        format!("KEY = (\n{}\n)\n", py.join("\n")),
    );
    let lines = pem(g, "RSA PRIVATE KEY", 600);
    let js = lines.join("\n");
    c.found(
        "js template literal",
        "src/keys.ts",
        format!("export const privateKey = `{js}`;\n"),
    );

    // Public keys, certificates, empty blocks: no finding.
    c.neg(
        "public pem",
        "keys/id_rsa.pub.pem",
        pem(g, "PUBLIC KEY", 294).join("\n") + "\n",
    );
    c.neg(
        "certificate",
        "certs/server.crt",
        pem(g, "CERTIFICATE", 800).join("\r\n") + "\r\n",
    );
    c.neg(
        "rsa public",
        "keys/rsa.pub",
        pem(g, "RSA PUBLIC KEY", 270).join("\n") + "\n",
    );
    c.neg(
        "pgp public",
        "keys/release.asc",
        pem(g, "PGP PUBLIC KEY BLOCK", 400).join("\n") + "\n",
    );
    c.neg(
        "ssh public line",
        "keys/authorized_keys",
        format!(
            "ssh-ed25519 {} deploy@ci\nssh-rsa {} ops@laptop\n",
            g.b64(51),
            g.b64(279)
        ),
    );
    let cert = pem(g, "CERTIFICATE", 800).join("\n") + "\n";
    c.neg(
        "escaped certificate",
        "config/tls.json",
        format!("{{\"certificate\": \"{}\"}}\n", cert.replace('\n', "\\n")),
    );
    c.neg(
        "base64 certificate",
        "deploy/k8s/ca.yaml",
        format!("data:\n  ca.crt: {}\n", b64(cert.as_bytes())),
    );
    c.neg(
        "empty and elided key blocks",
        "docs/keys.md",
        format!(
            "{}\n{}\n\n{}\n...\n{}\n\"{}\\n<your key>\\n{}\\n\"\n",
            armour("BEGIN", "RSA PRIVATE KEY"),
            armour("END", "RSA PRIVATE KEY"),
            armour("BEGIN", "OPENSSH PRIVATE KEY"),
            armour("END", "OPENSSH PRIVATE KEY"),
            armour("BEGIN", "PRIVATE KEY"),
            armour("END", "PRIVATE KEY"),
        ),
    );
}

fn cases() -> Vec<Case> {
    let mut g = Gen(0x5EED_57C0_F0E5_0001);
    let mut c = Cases(Vec::new());
    connection_strings(&mut g, &mut c);
    urls(&mut g, &mut c);
    http(&mut g, &mut c);
    credential_files(&mut g, &mut c);
    cli(&mut g, &mut c);
    java_dotnet(&mut g, &mut c);
    frameworks(&mut g, &mut c);
    terraform_elastic_nextcloud_ansible(&mut g, &mut c);
    containers(&mut g, &mut c);
    private_keys(&mut g, &mut c);
    c.0
}

#[test]
fn structure_forms() {
    let engine = common::builtin_engine();
    let mut scratch = Scratch::default();
    let mut out: Vec<Match> = Vec::new();
    let mut failures = Vec::new();
    let all = cases();
    let (mut pos, mut neg) = (0, 0);
    for case in &all {
        out.clear();
        let data = case.text.as_bytes();
        engine.scan(data, Some(case.path), &mut scratch, &mut out);
        let live: Vec<&Match> = out.iter().filter(|m| m.suppressed.is_none()).collect();
        let describe = |m: &Match| {
            format!(
                "{} ({} chars{})",
                engine.rule_meta(m.rule).id,
                m.secret(data).len(),
                if m.decoded.is_some() { ", decoded" } else { "" }
            )
        };
        match &case.want {
            Want::Secret(want) => {
                pos += 1;
                if !live
                    .iter()
                    .any(|m| want.iter().any(|w| m.secret(data) == w.as_bytes()))
                {
                    let got: Vec<String> = live.iter().map(|m| describe(m)).collect();
                    failures.push(format!(
                        "MISSED  {} [{}]: want a {}-char secret; got {got:?}",
                        case.name,
                        case.path,
                        want[0].len()
                    ));
                }
            }
            Want::Any => {
                pos += 1;
                if live.is_empty() {
                    failures.push(format!("MISSED  {} [{}]: no finding", case.name, case.path));
                }
            }
            Want::Nothing => {
                neg += 1;
                for m in &live {
                    let line_start = data[..m.secret_start]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                    let line_end = data[m.secret_start..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(data.len(), |i| m.secret_start + i);
                    failures.push(format!(
                        "FALSE+  {} [{}]: {} on line {:?}",
                        case.name,
                        case.path,
                        describe(m),
                        String::from_utf8_lossy(&data[line_start..line_end])
                    ));
                }
            }
        }
    }
    assert!(
        pos > 100 && neg > 20,
        "{pos} positive and {neg} negative cases"
    );
    assert!(
        failures.is_empty(),
        "{} of {} structure-form case(s) failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
