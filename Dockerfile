# Hubs.Server image: build with the SDK, run on the ASP.NET runtime image as a non-root user.
#   docker build -t realtimehubs/hubs-server .
# Listens on 8080 (ASPNETCORE_HTTP_PORTS). Outside Development it needs Auth__SigningKey (or Auth__Authority).

# The pages' scripts are bundled from the TypeScript client in clients/js (npm packages come from npm here).
FROM node:20-bookworm-slim AS web
WORKDIR /src/clients/js
COPY clients/js/package.json clients/js/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY clients/js/ ./
RUN npm run build:pages -- /src/Hubs.Server/wwwroot/js

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so the package layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Hubs.Contracts/Hubs.Contracts.csproj Hubs.Contracts/
COPY Hubs.Server/Hubs.Server.csproj Hubs.Server/
RUN dotnet restore Hubs.Server/Hubs.Server.csproj
COPY Hubs.Contracts/ Hubs.Contracts/
COPY Hubs.Server/ Hubs.Server/
COPY --from=web /src/Hubs.Server/wwwroot/js Hubs.Server/wwwroot/js/
# The scripts were bundled in the web stage, so this stage needs no Node.js.
RUN dotnet publish Hubs.Server/Hubs.Server.csproj -c Release --no-restore -o /app -p:UseAppHost=false -p:SkipWebClientBuild=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl only for the HEALTHCHECK below; the runtime image has no HTTP client of its own.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_NOLOGO=1
EXPOSE 8080
# The image's built-in unprivileged user (APP_UID, 1654).
USER $APP_UID
# Liveness, not readiness: a Redis outage makes /health/ready fail on every instance, and restarting them all
# would drop the local clients they still serve.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/live || exit 1
ENTRYPOINT ["dotnet", "Hubs.Server.dll"]
